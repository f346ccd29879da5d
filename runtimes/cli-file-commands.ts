// A converter's command line as the subject's model-file tool (runtimes/file-commands.ts):
// the `files:` of a cli runtime's config give an argument template per command and a mapping
// from its JSON output to refute's fields, for example for refute's own commands:
//
//   files:
//     inspect:  { args: [bin/refute.mjs, inspect, "{file}", --json],
//                 output: { architecture: architecture.family, layers: architecture.layers, heads: architecture.heads,
//                           kv_heads: architecture.kvHeads, hidden: architecture.hidden, vocab: architecture.vocabSize,
//                           tensors: tensors, metadata: metadata } }
//     validate: { args: [bin/refute.mjs, validate, "{file}", --json], output: { valid: valid, codes: "findings.*.code" } }
//     tensors:  { args: [bin/refute.mjs, tensors, "{file}", --json], output: { list: "", name: name, dtype: dtype, shape: shape, std: std } }
//     diff:     { args: [bin/refute.mjs, diff, "{file_a}", "{file_b}", --json],
//                 output: { list: tensors, name: name, dtype_a: dtypeA, dtype_b: dtypeB, shape_a: shapeA, shape_b: shapeB, transposed: transposed } }
//
// Paths are dotted; "" is the whole document and "*" every item of an array ("findings.*.code").
// With a `convert` template the tool writes the subject's files itself ({model} {format}
// {quant} {out}); without one they are refute's exports, and ModelFile.writtenBy says so.
// A command that is not installed is a BlockedError; one that exits non-zero on a file is the
// tool refusing it (ToolCommandError; validate's exit 1 with JSON on stdout is its answer); a
// field the output lacks is not reported (null: the probes say what that costs), except
// validate's `valid` and a list that is not an array, which are errors naming the path.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { shellLine } from "../core/shell-quote.ts";
import type { Format, Quant } from "../core/vocabulary.ts";
import { NO_HOOKS } from "../engine/hooks.ts";
import { EmbeddedFileCommands } from "./embedded-file-commands.ts";
import type { DiffRow, FileCommands, InspectReport, InventoryEntry, ModelFile, TensorRow, ValidateReport } from "./file-commands.ts";
import { BlockedError, ToolCommandError } from "./runtime.ts";
import { valuesAt, type CliFileOperation, type CliFilesConfig, type FILE_OPERATIONS } from "./cli-file-config.ts";

const fill = (args: string[], values: Record<string, string>) => args.map((a) => a.replace(/\{([a-z_]+)\}/g, (_, name: string) => values[name]));
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const isShape = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0);

export interface CliFileCommandsOptions {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs: number;
  files: CliFilesConfig;
  model: string; // the subject's model location ({model})
  modelName: string;
}

export class CliFileCommands implements FileCommands {
  readonly description: string;
  private dir: string | null = null;
  // Without a convert template, refute's engine writes the files (no fault hooks: a foreign subject has none).
  private readonly exporter: EmbeddedFileCommands;

  constructor(private readonly options: CliFileCommandsOptions) {
    this.description = `${options.command} (files: ${Object.keys(options.files).join(", ")})`;
    this.exporter = new EmbeddedFileCommands(options.model, NO_HOOKS);
  }

  private async exec(op: string, args: string[], answersWithOne = false): Promise<{ doc: unknown; line: string }> {
    const line = shellLine([this.options.command, ...args]);
    const result = await execa(this.options.command, args, { cwd: this.options.cwd, env: this.options.env, timeout: this.options.timeoutMs, reject: false, stdin: "ignore", maxBuffer: 64 * 2 ** 20 });
    if ((result as { code?: string }).code === "ENOENT") throw new BlockedError(`cli: command not found: ${this.options.command}`);
    if (result.timedOut) throw new Error(`${line}: timed out after ${this.options.timeoutMs} ms`);
    const exit = result.exitCode ?? result.signal ?? "none";
    if (exit !== 0 && !(answersWithOne && exit === 1)) throw new ToolCommandError(line, exit, String(result.stderr));
    if (op === "convert") return { doc: null, line };
    try {
      return { doc: JSON.parse(String(result.stdout)), line };
    } catch {
      throw new Error(`${line}: stdout is not one JSON document: ${String(result.stdout).slice(0, 200)}`);
    }
  }

  private operation(op: Exclude<(typeof FILE_OPERATIONS)[number], "convert">): CliFileOperation {
    const operation = this.options.files[op];
    if (!operation) throw new BlockedError(`cli: the config of '${this.options.command}' describes no 'files.${op}' command`);
    return operation;
  }

  /** The field's value (every match, for a path with "*"), or null where the mapping names no path for it or the output has nothing there: not reported. */
  private field(operation: CliFileOperation, doc: unknown, field: string): unknown {
    const path = operation.output[field];
    if (path === undefined) return null;
    const found = valuesAt(doc, path);
    return path.split(".").includes("*") ? found : (found[0] ?? null);
  }

  /** The items of a list-valued output, each item's fields by the mapping's other paths. */
  private items(op: string, operation: CliFileOperation, doc: unknown, line: string): Record<string, unknown>[] {
    const list = this.field(operation, doc, "list");
    if (!Array.isArray(list)) throw new Error(`${line}: '${operation.output.list ?? ""}' (files.${op}.output.list) is not an array`);
    return list.map((item) => {
      const row: Record<string, unknown> = {};
      for (const [field, path] of Object.entries(operation.output)) if (field !== "list") row[field] = valuesAt(item, path)[0] ?? null;
      return row;
    });
  }

  async modelFile(format: Format, quant: Quant): Promise<ModelFile> {
    const convert = this.options.files.convert;
    if (!convert) {
      const file = await this.exporter.modelFile(format, quant);
      return { ...file, writtenBy: `${file.writtenBy}; not by ${this.options.command}: its config has no files.convert` };
    }
    this.dir ??= mkdtempSync(join(tmpdir(), "refute-cli-files-"));
    const out = join(this.dir, `${format}-${quant}.${format === "gguf" ? "gguf" : format === "native" ? "rft" : "out"}`);
    const { line } = await this.exec("convert", fill(convert.args, { model: this.options.model, model_name: this.options.modelName, format, quant, out }));
    return { path: out, format, quant, writtenBy: line };
  }

  async inspect(file: string): Promise<InspectReport> {
    const op = this.operation("inspect");
    const { doc } = await this.exec("inspect", fill(op.args, { file }));
    const f = (field: string) => this.field(op, doc, field);
    const metadata = f("metadata");
    const architecture = f("architecture");
    return {
      architecture: typeof architecture === "string" ? architecture : null,
      layers: num(f("layers")),
      heads: num(f("heads")),
      kvHeads: num(f("kv_heads")),
      hidden: num(f("hidden")),
      intermediate: num(f("intermediate")),
      vocab: num(f("vocab")),
      tensors: num(f("tensors")),
      metadata: metadata && typeof metadata === "object" && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : null,
    };
  }

  async validate(file: string): Promise<ValidateReport> {
    const op = this.operation("validate");
    const { doc, line } = await this.exec("validate", fill(op.args, { file }), true);
    const valid = this.field(op, doc, "valid");
    if (typeof valid !== "boolean") throw new Error(`${line}: '${op.output.valid}' (files.validate.output.valid) is not a boolean: ${JSON.stringify(valid)}`);
    const codes = op.output.codes === undefined ? null : valuesAt(doc, op.output.codes).map(String);
    return { valid, codes };
  }

  async tensors(file: string): Promise<TensorRow[]> {
    const op = this.operation("tensors");
    const { doc, line } = await this.exec("tensors", fill(op.args, { file }));
    return this.items("tensors", op, doc, line).map((r) => {
      if (typeof r.name !== "string" || typeof r.dtype !== "string" || !isShape(r.shape)) throw new Error(`${line}: a tensor without a name, dtype or shape: ${JSON.stringify(r).slice(0, 160)}`);
      return { name: r.name, dtype: r.dtype, shape: r.shape, std: num(r.std), nan: num(r.nan), inf: num(r.inf) };
    });
  }

  async diff(a: string, b: string): Promise<DiffRow[]> {
    const op = this.operation("diff");
    const { doc, line } = await this.exec("diff", fill(op.args, { file_a: a, file_b: b }));
    return this.items("diff", op, doc, line).map((r) => ({
      name: String(r.name),
      dtypeA: typeof r.dtype_a === "string" ? r.dtype_a : null,
      dtypeB: typeof r.dtype_b === "string" ? r.dtype_b : null,
      shapeA: isShape(r.shape_a) ? r.shape_a : null,
      shapeB: isShape(r.shape_b) ? r.shape_b : null,
      transposed: r.transposed === true,
    }));
  }

  async list(): Promise<InventoryEntry[]> {
    const op = this.operation("list");
    const { doc, line } = await this.exec("list", fill(op.args, {}));
    return this.items("list", op, doc, line).map((r) => ({ name: String(r.name), bytes: num(r.bytes) ?? -1 }));
  }

  async close(): Promise<void> {
    await this.exporter.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
