// What a command prints, in process: console.log and console.error captured for each test of
// the file that calls this (the arrays are emptied before each test; tests may empty them too).

import { afterEach, beforeEach, vi } from "vitest";

export function captureConsole(): { out: string[]; err: string[] } {
  const captured = { out: [] as string[], err: [] as string[] };
  beforeEach(() => {
    captured.out.length = 0;
    captured.err.length = 0;
    vi.spyOn(console, "log").mockImplementation((...a) => void captured.out.push(a.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...a) => void captured.err.push(a.join(" ")));
  });
  afterEach(() => vi.restoreAllMocks());
  return captured;
}
