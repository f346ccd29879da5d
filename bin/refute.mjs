#!/usr/bin/env node
// The `refute` command: runs the TypeScript CLI through tsx, so no build step stands
// between a fresh clone and its first run.
import { register } from "tsx/esm/api";

register();
// `refute ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
