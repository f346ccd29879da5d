// What a tools probe is: it takes the subject's file commands, the check's subject and its
// params, computes its expectation itself (from config.json, the families' definitions, the
// committed corpus, the files on disk) and returns what it found. A command that refuses a
// file the converter wrote is a finding, not a failure to observe.

import type { Quant } from "../../core/vocabulary.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";
import type { FileCommands } from "../../runtimes/file-commands.ts";
import { ToolCommandError } from "../../runtimes/runtime.ts";
import type { ProbeResult } from "../violations.ts";

export interface FileToolParams {
  probe: string;
  /** tensor-dtypes: the dtype the quantized mixes give the token embedding and the output head (the engine's and llama.cpp's policy: q8_0) */
  embedding?: string;
  head?: string;
  /** diff-dtype-only: the quantization the subject's file is diffed against */
  against?: Quant;
}

export type FileToolProbe = (tools: FileCommands, subject: SubjectSpec, params: FileToolParams) => Promise<ProbeResult>;

/** The command's answer, or the line saying it refused: `refused` is pushed to `violations`. */
export async function answerOrRefusal<T>(ask: () => Promise<T>, violations: string[], what: string): Promise<T | null> {
  try {
    return await ask();
  } catch (e) {
    if (!(e instanceof ToolCommandError)) throw e;
    violations.push(`${what}: the tool refused it (${e.message})`);
    return null;
  }
}
