// list (the seed's check-list, cache inventory): `list` names every model of the zoo's
// manifest with the bytes its files take on disk, summed here from the files themselves.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FileToolProbe } from "./probe.ts";

const ZOO = fileURLToPath(new URL("../../models/zoo/", import.meta.url));

export const listInventory: FileToolProbe = async (tools) => {
  const manifest = JSON.parse(readFileSync(join(ZOO, "manifest.json"), "utf8")) as { models: string[]; files: Record<string, unknown> };
  const listed = await tools.list();
  const violations: string[] = [];
  for (const model of manifest.models) {
    const bytes = Object.keys(manifest.files)
      .filter((p) => p.startsWith(`${model}/`))
      .reduce((sum, p) => sum + (existsSync(join(ZOO, p)) ? statSync(join(ZOO, p)).size : 0), 0);
    const entry = listed.find((e) => e.name === model);
    if (!entry) violations.push(`${model}: not listed`);
    else if (entry.bytes !== bytes) violations.push(`${model}: listed with ${entry.bytes} bytes; its files take ${bytes}`);
  }
  return { checked: manifest.models.length, violations };
};
