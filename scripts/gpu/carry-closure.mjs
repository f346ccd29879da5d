// Which installed packages a GPU run needs: the bare imports reachable from the given entry files
// (following relative imports), plus vitest and tsx, and every pnpm store entry reachable from
// those through dependencies that are installed. Prints the root package names to stderr and the
// store entries (node_modules/.pnpm/<entry>) to stdout, one per line. Used by pack-carry.sh.
// `--without <package>` leaves out a package the run can do without (one whose absence its
// code reports as blocked, as node-llama-cpp's).
//   node scripts/gpu/carry-closure.mjs [--without <package>]... <entry files...>

import { existsSync, readFileSync, realpathSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";

// import/export ... from "x", import("x"), import "x", require("x") and createRequire(...)("x")
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^import\s+["']([^"']+)["']|(?:\brequire|\))\(\s*["']([^"'./][^"']*)["']\s*\)/gm;

const roots = new Set(["vitest", "tsx"]);
const seen = new Set();
function follow(file) {
  if (seen.has(file)) return;
  seen.add(file);
  for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (spec.startsWith(".")) {
      const target = resolve(dirname(file), spec);
      if (existsSync(target) && /\.(ts|mts|js|mjs)$/.test(target)) follow(target);
    } else if (!spec.startsWith("node:") && !builtinModules.includes(spec)) {
      roots.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
    }
  }
}
const args = process.argv.slice(2);
const without = new Set(args.filter((_, i) => args[i - 1] === "--without"));
for (const entry of args.filter((a, i) => a !== "--without" && args[i - 1] !== "--without")) follow(resolve(entry));
for (const name of without) roots.delete(name);

const store = realpathSync("node_modules/.pnpm");
const entries = new Set();
function visit(link) {
  if (!existsSync(link)) return; // an optional dependency that is not installed
  const real = realpathSync(link);
  const entry = relative(store, real).split(sep)[0];
  if (entries.has(entry)) return;
  entries.add(entry);
  const pkg = JSON.parse(readFileSync(join(real, "package.json"), "utf8"));
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })) visit(join(store, entry, "node_modules", name));
}
for (const root of roots) {
  if (!existsSync(join("node_modules", root))) throw new Error(`carry-closure: ${root} is imported but not installed (pnpm install)`);
  visit(join("node_modules", root));
}
console.error([...roots].sort().join("\n"));
console.log([...entries].sort().join("\n"));
