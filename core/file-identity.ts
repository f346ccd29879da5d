// What a file is now, for memos that must not outlive a change to it: its path, size, times
// and inode. A file rewritten in place (same path) gets a new mtime or ctime; one replaced by
// a rename gets a new inode.

import { statSync } from "node:fs";

export function fileIdentity(file: string): string {
  const s = statSync(file);
  return JSON.stringify([file, s.size, s.mtimeMs, s.ctimeMs, s.ino]);
}

/** The identities of `files` joined; null when one of them is gone. */
export function filesIdentity(files: readonly string[]): string | null {
  try {
    return files.map(fileIdentity).join("\n");
  } catch {
    return null;
  }
}
