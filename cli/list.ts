// `refute list`: the models this checkout holds: the zoo (every file checked against
// models/zoo/manifest.json's sha256) and the model files cached under models/cache/ (GGUF
// exports for llama.cpp, synthetic shapes). The seed's `apr list` (cache inventory).

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";

const MODELS_DIR = fileURLToPath(new URL("../models/", import.meta.url));
const MODEL_FILE = /\.(gguf|rft)$/;

interface Manifest {
  models: string[];
  files: Record<string, { sha256: string; bytes: number }>;
}

export interface ListedModel {
  name: string;
  source: "zoo" | "cache";
  path: string; // relative to models/
  files: number;
  bytes: number;
  verified: boolean | null; // zoo: every file's sha256 is the manifest's; cache: null (nothing to check against)
  problems: string[];
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

function zooModel(name: string, manifest: Manifest, models: string): ListedModel {
  const entries = Object.entries(manifest.files).filter(([path]) => path.startsWith(`${name}/`));
  const problems: string[] = [];
  let bytes = 0;
  for (const [path, expected] of entries) {
    const file = join(models, "zoo", path);
    if (!existsSync(file)) {
      problems.push(`${path}: missing`);
      continue;
    }
    bytes += statSync(file).size;
    if (sha256(file) !== expected.sha256) problems.push(`${path}: sha256 differs from the manifest's`);
  }
  return { name, source: "zoo", path: `zoo/${name}`, files: entries.length, bytes, verified: problems.length === 0, problems };
}

/** Model files under models/cache/, two levels deep (cache/<kind>/<file>). */
function cachedModels(models: string): ListedModel[] {
  const cache = join(models, "cache");
  if (!existsSync(cache)) return [];
  const listed: ListedModel[] = [];
  for (const kind of readdirSync(cache, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(cache, kind.name)).filter((f) => MODEL_FILE.test(f)).sort()) {
      const path = join(cache, kind.name, file);
      listed.push({ name: file.replace(MODEL_FILE, ""), source: "cache", path: relative(models, path), files: 1, bytes: statSync(path).size, verified: null, problems: [] });
    }
  }
  return listed;
}

export function listModels(models = MODELS_DIR): ListedModel[] {
  const manifest = JSON.parse(readFileSync(join(models, "zoo", "manifest.json"), "utf8")) as Manifest;
  return [...manifest.models.map((name) => zooModel(name, manifest, models)), ...cachedModels(models)];
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("list", io)
    .description("The zoo's models (each file checked against models/zoo/manifest.json) and the model files cached under models/cache/. Exit code 1 when a zoo file is missing or differs from the manifest.")
    .option("--json", "one JSON object: models (name, source, path, files, bytes, verified, problems)");
  onRun(command, async (options: { json?: boolean }) => {
    const models = listModels();
    if (options.json) io.out(JSON.stringify({ models }));
    else
      for (const m of models) {
        const state = m.verified === null ? "" : m.verified ? " verified" : ` NOT VERIFIED: ${m.problems.join("; ")}`;
        io.out(`${m.source.padEnd(5)} ${m.name.padEnd(40)} ${String(m.bytes).padStart(10)} bytes in ${m.files} file${m.files === 1 ? "" : "s"}${state}`);
      }
    return models.every((m) => m.verified !== false) ? 0 : 1;
  });
  return runCommand(command, argv, io);
}
