// refute's own commands as the subject's model-file tool (runtimes/file-commands.ts): the
// files are written by the engine's converters entered with the subject's fault hooks (so a
// converter bug lands in the file, as it would on disk), and read by `refute inspect`,
// `validate`, `tensors`, `diff` and `list` run in-process with `--json`, exactly as a user
// runs them. Their output is parsed as printed; a command that exits non-zero on a file is
// the tool refusing it (ToolCommandError), which the probes count.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Format, Quant } from "../core/vocabulary.ts";
import { FILE_QUANTS, isOneOf } from "../core/vocabulary.ts";
import { prepareSource } from "../engine/convert.ts";
import { writeGguf } from "../engine/formats/gguf/write.ts";
import { writeNative } from "../engine/formats/native/write.ts";
import type { EngineHooks } from "../engine/hooks.ts";
import { resolveModelPath } from "../engine/load.ts";
import { ggufFromSource } from "../engine/model/gguf-export.ts";
import { importToNative } from "../engine/model/import.ts";
import type { DiffRow, FileCommands, InspectReport, InventoryEntry, ModelFile, TensorRow, ValidateReport } from "./file-commands.ts";
import { BlockedError, ToolCommandError } from "./runtime.ts";

type CommandRun = (argv: string[], io: { out: (t: string) => void; err: (t: string) => void }) => Promise<number>;

/** Runs `refute <name> ...argv` in-process; its stdout as one JSON document. Exit 1 is an answer where `answersWithOne` (validate's "not valid"). */
async function refuteJson(name: string, run: CommandRun, argv: string[], answersWithOne = false): Promise<unknown> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  if (code !== 0 && !(answersWithOne && code === 1)) throw new ToolCommandError(`refute ${name} ${argv.join(" ")}`, code, err.join("\n"));
  return JSON.parse(out.join("\n"));
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The bytes of the subject's model in `format` at `quant`, through the engine's writers with the fault's hooks. */
function fileBytes(model: string, format: Format, quant: Quant, hooks: EngineHooks): Uint8Array {
  if (!isOneOf(FILE_QUANTS, quant)) throw new BlockedError(`the engine writes files at ${FILE_QUANTS.join(", ")}, not ${quant}`);
  if (format === "gguf") return writeGguf(ggufFromSource(prepareSource(model, "native", quant, hooks), model, quant, hooks));
  if (format === "native") return writeNative(importToNative(prepareSource(model, "safetensors", quant, hooks), { quantization: quant, enforceProvenance: false }));
  throw new BlockedError(`the engine writes native and gguf files, not ${format}`);
}

export class EmbeddedFileCommands implements FileCommands {
  readonly description = "refute inspect/validate/tensors/diff/list --json (embedded)";
  private dir: string | null = null;

  constructor(
    private readonly model: string,
    private readonly hooks: EngineHooks,
  ) {}

  async modelFile(format: Format, quant: Quant): Promise<ModelFile> {
    if (format === "safetensors" && quant === "f32") return { path: resolveModelPath(this.model), format, quant, writtenBy: "the checkpoint itself (Hugging Face SafeTensors)" };
    this.dir ??= mkdtempSync(join(tmpdir(), "refute-files-"));
    const path = join(this.dir, `${format}-${quant}.${format === "gguf" ? "gguf" : "rft"}`);
    writeFileSync(path, fileBytes(this.model, format, quant, this.hooks));
    return { path, format, quant, writtenBy: `the engine's ${format} writer (refute ${format === "gguf" ? "export" : "import"} --quantize ${quant})` };
  }

  async inspect(file: string): Promise<InspectReport> {
    const { run } = await import("../cli/inspect.ts");
    const doc = (await refuteJson("inspect", run, [file, "--json"])) as { architecture?: Record<string, unknown>; tensors?: unknown; metadata?: Record<string, unknown> };
    const a = doc.architecture ?? {};
    return {
      architecture: typeof a.family === "string" ? a.family : null,
      layers: num(a.layers),
      heads: num(a.heads),
      kvHeads: num(a.kvHeads),
      hidden: num(a.hidden),
      intermediate: num(a.intermediate),
      vocab: num(a.vocabSize),
      tensors: num(doc.tensors),
      metadata: doc.metadata && typeof doc.metadata === "object" ? doc.metadata : null,
    };
  }

  async validate(file: string): Promise<ValidateReport> {
    const { run } = await import("../cli/validate.ts");
    const doc = (await refuteJson("validate", run, [file, "--json"], true)) as { valid: boolean; findings: { code: string; severity: string }[] };
    return { valid: doc.valid === true, codes: doc.findings.filter((f) => f.severity === "error").map((f) => f.code) };
  }

  async tensors(file: string): Promise<TensorRow[]> {
    const { run } = await import("../cli/tensors.ts");
    const rows = (await refuteJson("tensors", run, [file, "--json"])) as Record<string, unknown>[];
    return rows.map((r) => ({ name: String(r.name), dtype: String(r.dtype), shape: r.shape as number[], std: num(r.std), nan: num(r.nan), inf: num(r.inf) }));
  }

  async diff(a: string, b: string): Promise<DiffRow[]> {
    const { run } = await import("../cli/diff.ts");
    const doc = (await refuteJson("diff", run, [a, b, "--json"])) as { tensors: Record<string, unknown>[] };
    return doc.tensors.map((d) => ({
      name: String(d.name),
      dtypeA: (d.dtypeA as string | null) ?? null,
      dtypeB: (d.dtypeB as string | null) ?? null,
      shapeA: (d.shapeA as number[] | null) ?? null,
      shapeB: (d.shapeB as number[] | null) ?? null,
      transposed: d.transposed === true,
    }));
  }

  async list(): Promise<InventoryEntry[]> {
    const { run } = await import("../cli/list.ts");
    const doc = (await refuteJson("list", run, ["--json"])) as { models: { name: string; bytes: number }[] };
    return doc.models.map((m) => ({ name: m.name, bytes: m.bytes }));
  }

  async close(): Promise<void> {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
