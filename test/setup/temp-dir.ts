// Each test file runs with a temporary directory of its own as TMPDIR (os.tmpdir() reads it),
// removed with everything in it when the file is done: the files tests write under tmpdir(),
// theirs and their child processes', never pile up in the machine's /tmp.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const saved = process.env.TMPDIR;
const dir = mkdtempSync(join(tmpdir(), "refute-test-"));
process.env.TMPDIR = dir;

afterAll(() => {
  if (saved === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved;
  rmSync(dir, { recursive: true, force: true });
});
