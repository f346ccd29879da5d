import { execa } from "execa";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("./memory-child.ts", import.meta.url));

it("a child's peak RSS is its own, not its parent's at the fork (ru_maxrss survives exec; VmHWM does not)", async () => {
  const parentHeld = Buffer.alloc(768 * 2 ** 20, 1); // resident in this process while the child starts
  const { stdout } = await execa(process.execPath, ["--import", "tsx", CHILD, "none", "unused.gguf", "f32", "1", "1", "cpu"]);
  const { peakRssBytes, rssBytes } = JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as { peakRssBytes: number; rssBytes: number };
  expect(parentHeld[0]).toBe(1);
  expect(peakRssBytes).toBeGreaterThanOrEqual(rssBytes);
  expect(peakRssBytes).toBeLessThan(512 * 2 ** 20); // Node and tsx alone: about 100 MiB
}, 30_000);
