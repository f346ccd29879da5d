// The tokens that end a generation. transformers stops at generation_config.json's
// eos_token_id (an id or a list: Qwen2-Instruct lists <|im_end|> and <|endoftext|>), falling back
// to config.json's; llama.cpp at the GGUF's eos_token_id and eot_token_id (and the end-of-turn
// tokens it recognises by name). The engine keeps one list per model, carried by every format.

import { RefuteError } from "../../core/errors.ts";

/** More end tokens than any real model declares (Llama 3.1: 3); a longer list is refused. */
const MAX_END_TOKENS = 16;

/** Ids of a config's eos_token_id: absent, an id, or a list of ids. */
export function eosIdsOf(value: unknown, file: string): number[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_END_TOKENS || !list.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) {
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: eos_token_id must be a token id or a list of at most ${MAX_END_TOKENS} ids, found ${JSON.stringify(value).slice(0, 200)}`, { file, field: "eos_token_id" });
  }
  return list as number[];
}

/** generation_config.json's end tokens where it names any, else config.json's; in order, once each. */
export function endTokenIds(config: Record<string, unknown>, generationConfig: Record<string, unknown> | null, files: { config: string; generation: string }): number[] {
  const generation = generationConfig ? eosIdsOf(generationConfig.eos_token_id, files.generation) : [];
  const ids = generation.length > 0 ? generation : eosIdsOf(config.eos_token_id, files.config);
  return [...new Set(ids)];
}
