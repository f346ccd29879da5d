// Any command line as a subject, through execa: an argument template per operation and a
// mapping from the command's JSON output to refute's fields. For example refute's own
// `run --json`, or the seed's `apr run --json`:
//
//   {
//     "command": "node",
//     "generate": {
//       "args": ["bin/refute.mjs", "run", "--model", "{model}", "--prompt", "{prompt}",
//                "--max-new-tokens", "{max_new_tokens}", "--top-k", "10", "--json"],
//       "output": { "tokens": "tokens", "text": "text", "prompt_tokens": "prompt_tokens", "topk": "topk" }
//     }
//   }
//
// Placeholders: {model} (where the model's files are) {model_name} {format} {quant} {backend}
// {prompt} {max_new_tokens} {text} {text_file} (the text in a temporary file, for long texts)
// {tokens} (comma-separated ids) {tokens_json} {window} {stride}. Output paths are dotted ("result.ids",
// "choices.0.tokens"). Operations the config does not describe are blocked, naming the one
// missing. A command that is not installed is a BlockedError; one that fails or prints
// something else than the mapping expects is an error with its stderr.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { RefuteError } from "../core/errors.ts";
import { servedSubject } from "../core/served.ts";
import { shellLine, shellQuote } from "../core/shell-quote.ts";
import { modelLocation, refusalOf, type ServedSubject } from "../core/subject.ts";
import type { Capability } from "../core/vocabulary.ts";
import { parseFilesConfig, type CliFilesConfig } from "./cli-file-config.ts";
import type { FileCommands } from "./file-commands.ts";
import { BlockedError, type Generation, type Perplexity, type Runtime, type ScoreOptions, type Scoring, type SubjectSpec, type TopKEntry } from "./runtime.ts";

export interface CliOperation<Output extends string> {
  args: string[];
  output: Partial<Record<Output, string>>;
}

export interface CliConfig {
  command: string;
  /** The subjects this command runs ({model, format, quant}); any other is refused. */
  serves: ServedSubject[];
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number; // per call; default 300000
  generate?: CliOperation<"tokens" | "text" | "prompt_tokens" | "topk">;
  tokenize?: CliOperation<"tokens">;
  /** Forced decoding: per-step log p of the given tokens, optionally the top-k per step. */
  score?: CliOperation<"logprobs" | "topk" | "prompt_tokens">;
  perplexity?: CliOperation<"perplexity" | "tokens_scored">;
  /** The tool's commands over model files (runtimes/cli-file-commands.ts): capability `file-commands`. */
  files?: CliFilesConfig;
}

const PLACEHOLDERS = ["model", "model_name", "format", "quant", "backend", "prompt", "max_new_tokens", "text", "text_file", "tokens", "tokens_json", "window", "stride"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

/** Checks a config's shape and placeholders; errors name the field. */
export function parseCliConfig(value: unknown, source = "cli config"): CliConfig {
  const bad = (field: string, expected: string): never => {
    throw new RefuteError("E_CLI_CONFIG", `${source}: field '${field}': expected ${expected}`, { source, field });
  };
  if (typeof value !== "object" || value === null) bad("(root)", "a JSON object");
  const c = value as Record<string, unknown>;
  if (typeof c.command !== "string" || !c.command) bad("command", "the executable to run");
  for (const op of ["generate", "tokenize", "score", "perplexity"]) {
    const o = c[op] as Record<string, unknown> | undefined;
    if (o === undefined) {
      if (op === "generate" && c.files === undefined) bad("generate", "{ args, output } (or files: the tool's commands over model files)");
      continue;
    }
    if (!Array.isArray(o.args) || !o.args.every((a) => typeof a === "string")) bad(`${op}.args`, "an array of strings");
    for (const arg of o.args as string[]) {
      for (const m of arg.matchAll(/\{([a-z_]+)\}/g)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(m[1])) bad(`${op}.args`, `placeholders among ${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}; found {${m[1]}}`);
      }
    }
    if (typeof o.output !== "object" || o.output === null) bad(`${op}.output`, "an object of dotted paths");
  }
  const generateOutput = (c.generate as { output: Record<string, unknown> } | undefined)?.output;
  if (generateOutput && typeof generateOutput.tokens !== "string") bad("generate.output.tokens", "the dotted path of the generated token ids");
  if (c.files !== undefined) parseFilesConfig(c.files, source);
  if (!Array.isArray(c.serves) || c.serves.length === 0) bad("serves", "a list of the subjects the command runs, [{ model, format, quant }]");
  const serves = (c.serves as Record<string, unknown>[]).map((s, i) => servedSubject(s?.model, s?.format, s?.quant, `${source}: field 'serves.${i}'`));
  return { ...(c as unknown as CliConfig), serves };
}

export function loadCliConfig(file: string): CliConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new BlockedError(`cli: cannot read its config ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RefuteError("E_CLI_CONFIG", `${file}: not JSON (${(e as Error).message})`, { file });
  }
  return parseCliConfig(json, file);
}

function fill(args: string[], values: Partial<Record<Placeholder, string>>): string[] {
  return args.map((arg) =>
    arg.replace(/\{([a-z_]+)\}/g, (whole, name: Placeholder) => {
      const v = values[name];
      if (v === undefined) throw new RefuteError("E_CLI_CONFIG", `placeholder ${whole} has no value in this operation`, { placeholder: name });
      return v;
    }),
  );
}

/** The value at a dotted path ("choices.0.tokens"), or undefined. */
export function valueAtPath(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const isIds = (v: unknown): v is number[] => Array.isArray(v) && v.every((t) => Number.isInteger(t) && t >= 0);
const isTopK = (v: unknown): v is TopKEntry[][] =>
  Array.isArray(v) && v.every((s) => Array.isArray(s) && s.every((e) => e && Number.isInteger(e.token) && typeof e.logprob === "number"));

export class CliRuntime implements Runtime {
  /** generate, and the operations the config describes */
  readonly capabilities: ReadonlySet<Capability>;

  constructor(
    private readonly config: CliConfig,
    readonly name = "cli",
    private readonly servesSource = "its config's serves",
  ) {
    this.capabilities = new Set<Capability>([
      ...(["generate", "tokenize", "score", "perplexity"] as const).filter((op) => config[op] !== undefined),
      ...(config.files ? (["file-commands"] as const) : []),
    ]);
  }

  serves(spec: SubjectSpec): string | null {
    return refusalOf(`${this.name} (${this.config.command})`, this.config.serves, this.servesSource, spec);
  }

  private async call<O extends string>(op: keyof CliConfig & string, operation: CliOperation<O> | undefined, values: Partial<Record<Placeholder, string>>) {
    if (!operation) throw new BlockedError(`cli: the config of '${this.config.command}' describes no '${op}' operation`);
    const args = fill(operation.args, values);
    const result = await execa(this.config.command, args, {
      cwd: this.config.cwd,
      env: this.config.env,
      timeout: this.config.timeoutMs ?? 300_000,
      reject: false,
      stdin: "ignore",
    });
    const where = `${this.config.command} ${op}`;
    if ((result as { code?: string }).code === "ENOENT") throw new BlockedError(`cli: command not found: ${this.config.command}`);
    if (result.timedOut) throw new Error(`${where}: timed out after ${this.config.timeoutMs ?? 300_000} ms`);
    if (result.exitCode !== 0) throw new Error(`${where}: exit code ${result.exitCode ?? result.signal}: ${String(result.stderr).trim().slice(-500)}`);
    let doc: unknown;
    try {
      doc = JSON.parse(String(result.stdout));
    } catch {
      throw new Error(`${where}: stdout is not one JSON document: ${String(result.stdout).slice(0, 200)}`);
    }
    const get = (field: O): unknown => {
      const path = operation.output[field];
      return path === undefined ? undefined : valueAtPath(doc, path);
    };
    const need = <T>(field: O, check: (v: unknown) => v is T, expected: string): T => {
      const v = get(field);
      if (!check(v)) throw new Error(`${where}: output '${operation.output[field]}' (${field}) is not ${expected}: ${JSON.stringify(v)?.slice(0, 120)}`);
      return v;
    };
    return { get, need };
  }

  private subjectValues(spec: SubjectSpec): Partial<Record<Placeholder, string>> {
    return { model: modelLocation(spec), model_name: spec.model, format: spec.format, quant: spec.quant, backend: spec.backend };
  }

  /** The generation as the command line the config makes of it (run where the config's cwd says). */
  reproduction(spec: SubjectSpec, prompt: string, maxNewTokens: number): string {
    if (!this.config.generate) return `(${this.config.command}'s config describes no generate operation)`;
    const line = shellLine([this.config.command, ...fill(this.config.generate.args, { ...this.subjectValues(spec), prompt, max_new_tokens: String(maxNewTokens) })]);
    return this.config.cwd ? `cd ${shellQuote(this.config.cwd)} && ${line}` : line;
  }

  /** The config's `files` commands on the subject's model (loaded when a tools claim first asks). */
  async fileCommands(spec: SubjectSpec): Promise<FileCommands> {
    if (!this.config.files) throw new BlockedError(`cli: the config of '${this.config.command}' describes no files commands`);
    const { CliFileCommands } = await import("./cli-file-commands.ts");
    const { cwd, env, timeoutMs, command, files } = this.config;
    return new CliFileCommands({ command, cwd, env, timeoutMs: timeoutMs ?? 300_000, files, model: modelLocation(spec), modelName: spec.model });
  }

  async tokenize(spec: SubjectSpec, text: string): Promise<number[]> {
    const out = await this.call("tokenize", this.config.tokenize, { ...this.subjectValues(spec), text, prompt: text });
    return out.need("tokens", isIds, "an array of token ids");
  }

  async generate(spec: SubjectSpec, prompt: string, maxNewTokens: number): Promise<Generation> {
    const out = await this.call("generate", this.config.generate, { ...this.subjectValues(spec), prompt, max_new_tokens: String(maxNewTokens) });
    const tokens = out.need("tokens", isIds, "an array of token ids");
    const text = out.get("text");
    const promptTokens = out.get("prompt_tokens");
    const topk = out.get("topk");
    return {
      promptTokens: isIds(promptTokens) ? promptTokens : [],
      tokens,
      text: typeof text === "string" ? text : "",
      topk: isTopK(topk) ? topk : [],
    };
  }

  async score(spec: SubjectSpec, prompt: string, tokens: number[], options: ScoreOptions = {}): Promise<Scoring> {
    const out = await this.call("score", this.config.score, {
      ...this.subjectValues(spec),
      prompt,
      tokens: tokens.join(","),
      tokens_json: JSON.stringify(tokens),
    });
    const isLogprobs = (v: unknown): v is number[] => Array.isArray(v) && v.length === tokens.length && v.every((x) => typeof x === "number");
    const logprobs = out.need("logprobs", isLogprobs, `an array of ${tokens.length} numbers`);
    const topkValue = out.get("topk");
    const topk = isTopK(topkValue) ? topkValue : [];
    const promptTokens = out.get("prompt_tokens");
    return {
      promptTokens: isIds(promptTokens) ? promptTokens : [],
      steps: tokens.map((token, i) => {
        const step = topk[i] ?? [];
        const candidates = options.candidates?.[i]?.map((c) => (c === token ? logprobs[i] : (step.find((e) => e.token === c)?.logprob ?? null)));
        return { token, logprob: logprobs[i], topk: step.slice(0, options.topK ?? 10), ...(candidates ? { candidates } : {}) };
      }),
    };
  }

  async perplexity(spec: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity> {
    const dir = mkdtempSync(join(tmpdir(), "refute-cli-"));
    const textFile = join(dir, "text.txt");
    writeFileSync(textFile, text);
    const out = await this.call("perplexity", this.config.perplexity, { ...this.subjectValues(spec), text, text_file: textFile, window: String(window), stride: String(stride) }).finally(() =>
      rmSync(dir, { recursive: true, force: true }),
    );
    const perplexity = out.need("perplexity", (v): v is number => typeof v === "number", "a number");
    const scored = out.get("tokens_scored");
    return { perplexity, tokensScored: typeof scored === "number" ? scored : 0, window, stride };
  }

  async close(): Promise<void> {}
}
