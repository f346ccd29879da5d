// Headless Chromium for the tests that look at the HTML report: Debian's chromium (or the
// binary REFUTE_CHROMIUM names), driven by playwright-core. Where none is installed, the
// browser tests say so in their titles and are reported skipped, with how to install it.

import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export type ChromiumFound = { path: string; blocked?: undefined } | { path?: undefined; blocked: string };

export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumFound {
  const named = env.REFUTE_CHROMIUM;
  if (named) return existsSync(named) ? { path: named } : { blocked: `REFUTE_CHROMIUM=${named} does not exist` };
  const path = CANDIDATES.find((p) => existsSync(p));
  return path ? { path } : { blocked: `no headless Chromium (looked for ${CANDIDATES.join(", ")}; install Debian's: apt-get install chromium, or set REFUTE_CHROMIUM)` };
}
