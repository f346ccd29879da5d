// The project config, refute.config.yaml: the models and runtimes a user points refute at,
// by name, and where the oracle, the claims and the reports are. Found in the working
// directory, or named with --config FILE. Validated with refute.config.schema.json (ajv), so
// an editor completes it and a mistake names the file, the field, what was expected and what
// was found. Paths in it are relative to the file's directory and come back absolute.
//
// Runtime settings never hold a secret: a header's value is the name of an environment
// variable, read when the runtime is made, and only that name reaches a report.

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { loadBoundedYaml, YamlBoundError } from "./bounded-yaml.ts";
import configSchema from "../refute.config.schema.json" with { type: "json" };
import { RefuteError } from "./errors.ts";
import { zooModels } from "./model-ref.ts";
import type { ServedSubject } from "./subject.ts";
import { type Family, isOneOf, RUNTIMES, type RuntimeKind } from "./vocabulary.ts";

export const CONFIG_FILE = "refute.config.yaml";
const MAX_CONFIG_BYTES = 1 << 20; // a config is a page of YAML; more is not one

export interface ConfiguredModel {
  path: string; // absolute
  family?: Family;
}

export interface HeaderFromEnv {
  env: string; // the variable holding the value
  prefix?: string;
}

export interface CliOperationConfig {
  args: string[];
  output: Record<string, string>;
}

export type ConfiguredRuntime =
  | { kind: "embedded"; threads?: number }
  | { kind: "llamacpp"; threads?: number }
  | { kind: "llama-server"; threads?: number; args?: string[] }
  | {
      kind: "http";
      url: string;
      serves: ServedSubject[];
      model?: string;
      prompt?: "text" | "ids";
      timeout_ms?: number;
      max_body_bytes?: number;
      headers?: Record<string, HeaderFromEnv>;
    }
  | {
      kind: "cli";
      command: string;
      serves: ServedSubject[];
      cwd?: string;
      env?: Record<string, string>;
      timeout_ms?: number;
      generate?: CliOperationConfig;
      tokenize?: CliOperationConfig;
      score?: CliOperationConfig;
      perplexity?: CliOperationConfig;
      files?: Record<string, { args: string[]; output?: Record<string, string> }>;
    };

export interface ProjectConfig {
  file: string | null; // where it was read; null: no config file (the defaults)
  oracle?: string;
  reports?: string;
  claims?: string;
  models: Record<string, ConfiguredModel>;
  runtimes: Record<string, ConfiguredRuntime>;
}

export const EMPTY_CONFIG: ProjectConfig = { file: null, models: {}, runtimes: {} };

const ajv = new Ajv({ allErrors: false, strict: false });
const validateConfig = ajv.compile(configSchema);

/** The config a run uses: --config FILE, else refute.config.yaml in `cwd` when there is one, else none. */
export function findConfig(given: string | undefined, cwd = process.cwd()): ProjectConfig {
  if (given !== undefined) return loadConfig(resolve(cwd, given));
  const here = join(cwd, CONFIG_FILE);
  return existsSync(here) ? loadConfig(here) : EMPTY_CONFIG;
}

export function loadConfig(file: string): ProjectConfig {
  if (!existsSync(file)) throw new RefuteError("E_CONFIG", `${file}: no such config file`, { file });
  if (statSync(file).size > MAX_CONFIG_BYTES) throw new RefuteError("E_CONFIG", `${file}: larger than ${MAX_CONFIG_BYTES} bytes; not a config file`, { file });
  let doc: unknown;
  try {
    doc = loadBoundedYaml(readFileSync(file, "utf8"), file) ?? {};
  } catch (e) {
    const what = e instanceof YamlBoundError ? "refused" : "not valid YAML";
    throw new RefuteError("E_CONFIG", `${file}: ${what}: ${(e as Error).message.split("\n")[0]}`, { file });
  }
  return parseConfig(doc, file);
}

/** A parsed YAML document as a config; `file` names it in errors and anchors its relative paths. */
export function parseConfig(doc: unknown, file: string): ProjectConfig {
  if (!validateConfig(doc)) throw new RefuteError("E_CONFIG", describeSchemaError(file, doc, validateConfig.errors ?? []), { file });
  const raw = doc as Omit<ProjectConfig, "file" | "models"> & { models?: Record<string, string | ConfiguredModel> };
  const base = dirname(file);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const models: Record<string, ConfiguredModel> = {};
  const zoo = zooModels();
  for (const [name, entry] of Object.entries(raw.models ?? {})) {
    // The name keys the oracle records (<oracle>/<name>/); a zoo slug's would be the zoo model's.
    if (zoo.includes(name)) throw new RefuteError("E_CONFIG", `${file}: field 'models.${name}': expected a name that is not a zoo model's (${zoo.join(", ")}); choose another`, { file });
    models[name] = typeof entry === "string" ? { path: at(entry) } : { ...entry, path: at(entry.path) };
  }
  const runtimes: Record<string, ConfiguredRuntime> = {};
  for (const [name, r] of Object.entries(raw.runtimes ?? {})) runtimes[name] = r.kind === "cli" && r.cwd ? { ...r, cwd: at(r.cwd) } : r;
  return {
    file,
    ...(raw.oracle ? { oracle: at(raw.oracle) } : {}),
    ...(raw.reports ? { reports: at(raw.reports) } : {}),
    ...(raw.claims ? { claims: at(raw.claims) } : {}),
    models,
    runtimes,
  };
}

/**
 * The deepest schema error, in the project's words. With `oneOf` and `if/then` ajv reports
 * the branch errors first; the one with the longest path is where the mistake is.
 */
function describeSchemaError(file: string, doc: unknown, errors: ErrorObject[]): string {
  const e = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  const path = e.instancePath.split("/").slice(1);
  const value = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc);
  const field =
    e.keyword === "required"
      ? [...path, String(e.params.missingProperty)].join(".")
      : e.keyword === "additionalProperties"
        ? [...path, String(e.params.additionalProperty)].join(".")
        : path.join(".") || "(file)";
  const expected =
    e.keyword === "required"
      ? "the field to be present"
      : e.keyword === "additionalProperties"
        ? `no such field (known: ${Object.keys(schemaPropertiesAt(path, value)).join(", ") || "none"})`
        : e.keyword === "enum"
          ? `one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`
          : (e.message ?? "a valid value");
  const found = e.keyword === "required" || e.keyword === "additionalProperties" ? "" : `; found ${JSON.stringify(value)?.slice(0, 80)}`;
  return `${file}: field '${field}': expected ${expected}${found}`;
}

/** The field names the schema allows in `value`, the object at `path` (for "no such field" errors). */
function schemaPropertiesAt(path: string[], value: unknown): Record<string, unknown> {
  const defs = configSchema.definitions as Record<string, { properties?: Record<string, unknown> }>;
  if (path.length === 0) return configSchema.properties;
  if (path[0] === "runtimes" && path.length === 2) return defs[String((value as { kind?: unknown })?.kind)]?.properties ?? {};
  if (path[0] === "models" && path.length === 2) return { path: 1, family: 1 };
  return {};
}

/** The kind of a runtime name, or null when it is neither a kind nor configured. */
export function runtimeKind(name: string, config: Pick<ProjectConfig, "runtimes"> = EMPTY_CONFIG): RuntimeKind | null {
  return config.runtimes[name]?.kind ?? (isOneOf(RUNTIMES, name) ? name : null);
}

/** The runtime names a run may use: the kinds and the config's runtimes. */
export const runtimeNames = (config: Pick<ProjectConfig, "runtimes"> = EMPTY_CONFIG): string[] => [...new Set([...RUNTIMES, ...Object.keys(config.runtimes)])];
