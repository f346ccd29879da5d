#!/usr/bin/env node
// The `refute` command: runs the TypeScript CLI through tsx, so no build step stands
// between a fresh clone and its first run.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
