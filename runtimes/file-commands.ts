// The commands of a model-file tool (capability `file-commands`): what a converter's command
// line says about the files it writes: inspect (architecture and metadata), validate (is the
// file sound), tensors (names, dtypes, shapes, statistics), diff (two files tensor by tensor)
// and list (the models it holds). The seed's structural suites asked exactly these of a
// converter's CLI with `--json`; the tools suite (claims/tools.yaml) states what they must
// report and measures/file-tools/ checks it. The embedded runtime answers with refute's own
// commands (runtimes/embedded-file-commands.ts), a cli runtime with the command templates of
// its config (runtimes/cli-file-commands.ts).
//
// The tool reports; it expects nothing. Every field is what the tool printed, mapped to these
// names, or null where its output has no such field.

import type { Format, Quant } from "../core/vocabulary.ts";

/** A file of the subject's model, as the tool wrote it (or as refute exported it for the tool to read: `writtenBy` says which). */
export interface ModelFile {
  path: string;
  format: Format;
  quant: Quant;
  writtenBy: string; // "refute export (the embedded engine)", or the tool's own convert command line
}

/** What `inspect` says a model is. Counts as the file states them; `metadata` the format's own keys (GGUF's), where it prints them. */
export interface InspectReport {
  architecture: string | null; // the family as the tool names it (llama, qwen2, gpt2)
  layers: number | null;
  heads: number | null;
  kvHeads: number | null;
  hidden: number | null;
  intermediate: number | null;
  vocab: number | null;
  tensors: number | null;
  metadata: Record<string, unknown> | null;
}

/** What `validate` says of a file: sound or not, and the codes of what it found (null when its output names none). */
export interface ValidateReport {
  valid: boolean;
  codes: string[] | null;
}

/** One tensor as `tensors` lists it; the statistics are null where the tool prints none. */
export interface TensorRow {
  name: string;
  dtype: string;
  shape: number[];
  std: number | null;
  nan: number | null;
  inf: number | null;
}

/** One tensor of two files as `diff` reports it (null on the side that lacks it). */
export interface DiffRow {
  name: string;
  dtypeA: string | null;
  dtypeB: string | null;
  shapeA: number[] | null;
  shapeB: number[] | null;
  transposed: boolean;
}

/** One model of `list`'s inventory: its name and its files' total size. */
export interface InventoryEntry {
  name: string;
  bytes: number;
}

export interface FileCommands {
  /** Who answers (the command line, or "refute (embedded)"), for the evidence. */
  readonly description: string;
  /** The subject's model as a file of `format` at `quant`; the caller removes nothing, the tool cleans up at close. */
  modelFile(format: Format, quant: Quant): Promise<ModelFile>;
  inspect(file: string): Promise<InspectReport>;
  validate(file: string): Promise<ValidateReport>;
  tensors(file: string): Promise<TensorRow[]>;
  diff(a: string, b: string): Promise<DiffRow[]>;
  list(): Promise<InventoryEntry[]>;
  /** Removes the files modelFile wrote. */
  close(): Promise<void>;
}

