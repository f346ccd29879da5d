// The hostile campaign's mutants: case i of kind k is built from the micro model (or a claim
// file, or a completion response) by a PRNG seeded with (k, i), so a case is its index and a
// failure is reproduced by rebuilding it. Each kind damages its input the ways real inputs get
// damaged and hostile ones are made: out-of-range numbers, wrong types, broken structure,
// flipped bytes, truncation, pathological regexes and aliases, oversized counts.

import { readFileSync } from "node:fs";
import { mulberry32 } from "../../core/mulberry32.ts";
import { crc32 } from "node:zlib";
import { writeGguf } from "../../engine/formats/gguf/write.ts";
import { writeNative } from "../../engine/formats/native/write.ts";
import { writeSafeTensorsBytes } from "../../engine/formats/safetensors/write.ts";
import { architectureFromHfConfig } from "../../engine/model/config.ts";
import { ggufFromSource } from "../../engine/model/gguf-export.ts";
import { canonicalFromHf } from "../../engine/model/hf-names.ts";
import { config, hfTensors, tokenizer } from "./micro-model.ts";

export const KINDS = ["config.json", "tokenizer.json", "safetensors", "gguf", "rft", "claim-yaml", "http-response"] as const;
export type Kind = (typeof KINDS)[number];

/** What a case hands to the worker: a model on disk (files, and the path to open), a claim file's text, or a server's answer. */
export type CaseInput =
  | { type: "model"; files: Record<string, Uint8Array | string>; open: string }
  | { type: "yaml"; text: string }
  | { type: "http"; status: number; body: string };

export interface Case {
  kind: Kind;
  index: number;
  damage: string;
  input: CaseInput;
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const int = (rng: Rng, max: number) => Math.floor(rng() * max);

const HOSTILE_VALUES: readonly unknown[] = [0, -1, 1, 2, 3, 7, 31, 33, 1.5, 2 ** 31 - 1, 2 ** 32, 2 ** 53, 1e9, 1e308, -1e308, 1e-300, "32", "", null, true, [], {}, [32]];

const HOSTILE_REGEXES: readonly string[] = [
  "(",
  ")",
  "[",
  "(.*.*)*;",
  "(a+)+$",
  "(a|a)*b",
  "(a+){2,40}",
  "a*a*a*a*a*a*a*;",
  "(?P<x>a)",
  "(?>a+)",
  "a++",
  "\\",
  "(?i:[a-z])",
  "\\S[\\S]",
  "(?<=a)b",
  "\\p{Nonsense}",
  "x{99999999}",
  "((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))",
  " ?\\p{L}+| ?\\p{N}+|\\s+(?!\\S)|\\s+",
  "'s|'t|'re| ?\\p{L}+",
];

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const json = (v: unknown) => JSON.stringify(v);

function flipBytes(rng: Rng, bytes: Uint8Array, region: number = bytes.length): Uint8Array {
  const out = Uint8Array.from(bytes);
  const n = 1 + int(rng, 4);
  for (let i = 0; i < n; i++) out[int(rng, Math.max(1, Math.min(region, out.length)))] ^= 1 << int(rng, 8);
  return out;
}

function truncate(rng: Rng, bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, int(rng, bytes.length));
}

// ------------------------------------------------------------------ the micro model's files

const CLEAN_SAFETENSORS = writeSafeTensorsBytes(hfTensors());
const ARCH = architectureFromHfConfig(config);
const SOURCE = { format: "safetensors" as const, arch: ARCH, config, tensors: canonicalFromHf(ARCH, hfTensors()), tokenizerJson: tokenizer, chatTemplate: null, endTokenIds: [], files: [] };
const CLEAN_GGUF = writeGguf(ggufFromSource(SOURCE, "micro", "f32"));
const CLEAN_RFT = writeNative({
  config,
  tokenizer,
  provenance: { source_format: "safetensors", source_files: [], quantization: "f32", tool_version: "campaign", created_at: "1970-01-01T00:00:00.000Z" },
  tensors: [...SOURCE.tensors.values()],
});

function hfDir(cfg: unknown, tok: unknown, safetensors: Uint8Array, extra: Record<string, string> = {}): CaseInput {
  const files: Record<string, Uint8Array | string> = { "model/config.json": typeof cfg === "string" ? cfg : json(cfg), "model/tokenizer.json": typeof tok === "string" ? tok : json(tok), "model/model.safetensors": safetensors };
  for (const [name, text] of Object.entries(extra)) files[`model/${name}`] = text;
  return { type: "model", files, open: "model" };
}

const NUMERIC_CONFIG_KEYS = ["vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "max_position_embeddings", "rms_norm_eps", "rope_theta", "bos_token_id", "eos_token_id", "head_dim"];

function configCase(rng: Rng): [string, CaseInput] {
  const cfg = clone(config) as Record<string, unknown>;
  const changes: string[] = [];
  for (let n = 1 + int(rng, 2); n > 0; n--) {
    const op = rng();
    if (op < 0.7) {
      const key = pick(rng, NUMERIC_CONFIG_KEYS);
      cfg[key] = pick(rng, HOSTILE_VALUES);
      changes.push(`${key} = ${json(cfg[key])}`);
    } else if (op < 0.8) {
      const key = pick(rng, Object.keys(cfg));
      delete cfg[key];
      changes.push(`${key} deleted`);
    } else if (op < 0.9) {
      cfg.model_type = pick(rng, ["gpt2", "qwen2", "mistral", "", 5, null]);
      changes.push(`model_type = ${json(cfg.model_type)}`);
    } else {
      cfg.tie_word_embeddings = pick(rng, [false, "yes", 1]);
      changes.push(`tie_word_embeddings = ${json(cfg.tie_word_embeddings)}`);
    }
  }
  if (rng() < 0.1) return ["config.json not an object", hfDir(pick(rng, ["[]", "null", "42", "{", ""]), tokenizer, CLEAN_SAFETENSORS)];
  return [changes.join(", "), hfDir(cfg, tokenizer, CLEAN_SAFETENSORS)];
}

function randomRegex(rng: Rng): string {
  const atoms = ["a", ".", "\\s", "\\p{L}", "[a-z]", "(", ")", "*", "+", "?", "|", "{2,}", "{1,3}", "(?:", "\\", "[", "]", "^", "$"];
  return Array.from({ length: 1 + int(rng, 12) }, () => pick(rng, atoms)).join("");
}

function tokenizerCase(rng: Rng): [string, CaseInput] {
  const tok = clone(tokenizer) as Record<string, unknown> & { model: Record<string, unknown>; added_tokens: Record<string, unknown>[] };
  const op = int(rng, 8);
  let damage: string;
  if (op === 0 || op === 1) {
    const regex = op === 0 ? pick(rng, HOSTILE_REGEXES) : randomRegex(rng);
    tok.pre_tokenizer = { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: regex }, behavior: "Isolated", invert: false }, { type: "ByteLevel", add_prefix_space: false, use_regex: false }] };
    damage = `Split regex ${json(regex)}`;
  } else if (op === 2) {
    const depth = pick(rng, [17, 100, 5000, 30000]);
    const text = `${'{"type":"Sequence","pretokenizers":['.repeat(depth)}{"type":"Digits","individual_digits":true}${"]}".repeat(depth)}`;
    return [`pre_tokenizer Sequences nested ${depth} deep`, hfDir(config, json(tok).replace(json(tok.pre_tokenizer), text), CLEAN_SAFETENSORS)];
  } else if (op === 3) {
    const vocab = tok.model.vocab as Record<string, unknown>;
    const token = pick(rng, Object.keys(vocab));
    vocab[token] = pick(rng, [-1, 1e9, 2 ** 53, "x", null, 256, 3.5]);
    damage = `vocab[${json(token)}] = ${json(vocab[token])}`;
  } else if (op === 4) {
    tok.model.merges = pick(rng, [["a b c"], [5], [null], [["x"]], "merges", Array.from({ length: 3000 }, (_, i) => `${String.fromCharCode(97 + (i % 26))} ${String.fromCharCode(98 + (i % 20))}`)]);
    damage = `merges = ${json(tok.model.merges).slice(0, 40)}`;
  } else if (op === 5) {
    tok.added_tokens.push({ id: pick(rng, [1e9, -5, 257, 300, 2 ** 40, 0]), content: pick(rng, ["<x>", "", "a", "<|endoftext|>"]), special: true });
    damage = `added token ${json(tok.added_tokens.at(-1))}`;
  } else if (op === 6) {
    const field = pick(rng, ["model.type", "decoder.type", "normalizer", "pre_tokenizer.type"]);
    if (field === "model.type") tok.model.type = pick(rng, ["Unigram", "WordPiece", 3, null]);
    else if (field === "decoder.type") tok.decoder = { type: pick(rng, ["Metaspace", "WordPiece", 7]) };
    else if (field === "normalizer") tok.normalizer = { type: pick(rng, ["NFKC", "Lowercase", "Nonsense"]) };
    else tok.pre_tokenizer = { type: pick(rng, ["Whitespace", "Metaspace", 1, null]) };
    damage = `${field} changed`;
  } else {
    return ["tokenizer.json bytes flipped", hfDir(config, new TextDecoder().decode(flipBytes(rng, new TextEncoder().encode(json(tok))) as Uint8Array), CLEAN_SAFETENSORS)];
  }
  return [damage, hfDir(config, tok, CLEAN_SAFETENSORS)];
}

/** The SafeTensors header as JSON, and the data after it. */
function splitSafeTensors(bytes: Uint8Array): { header: Record<string, { dtype: unknown; shape: unknown; data_offsets: unknown }>; data: Uint8Array } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))), data: bytes.subarray(8 + length) };
}

function joinSafeTensors(header: unknown, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(json(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

function safetensorsCase(rng: Rng): [string, CaseInput] {
  const op = int(rng, 6);
  const { header, data } = splitSafeTensors(CLEAN_SAFETENSORS);
  const names = Object.keys(header).filter((n) => n !== "__metadata__");
  const name = pick(rng, names);
  if (op === 0) {
    const field = pick(rng, ["dtype", "shape", "data_offsets"] as const);
    const values = {
      dtype: ["F64", "I8", "BF16", "F16", "Q4", "", 5, null],
      shape: [[0], [-1], [2 ** 31, 2 ** 31], [257, 33], [], [1e30], "x", [2 ** 53]],
      data_offsets: [[0, 2 ** 60], [-5, 3], [10, 5], [0, 0], [0], "0", [2 ** 53, 2 ** 53 + 4]],
    }[field];
    header[name][field] = pick(rng, values as readonly unknown[]);
    return [`${name}.${field} = ${json(header[name][field])}`, hfDir(config, tokenizer, joinSafeTensors(header, data))];
  }
  if (op === 1) {
    const values = new Float32Array(Uint8Array.from(data).buffer);
    const value = pick(rng, [Number.NaN, Number.POSITIVE_INFINITY, 0, 3e38, -3e38, 1e-45]);
    const count = pick(rng, [1, 10, values.length >> 2, values.length]);
    for (let i = 0; i < count; i++) values[int(rng, values.length)] = value;
    return [`${count} values set to ${value}`, hfDir(config, tokenizer, joinSafeTensors(header, new Uint8Array(values.buffer)))];
  }
  if (op === 2) return ["header bytes flipped", hfDir(config, tokenizer, flipBytes(rng, CLEAN_SAFETENSORS, 8 + json(header).length))];
  if (op === 3) return ["data bytes flipped", hfDir(config, tokenizer, flipBytes(rng, CLEAN_SAFETENSORS))];
  if (op === 4) return ["file truncated", hfDir(config, tokenizer, truncate(rng, CLEAN_SAFETENSORS))];
  const out = Uint8Array.from(CLEAN_SAFETENSORS);
  new DataView(out.buffer).setBigUint64(0, BigInt(pick(rng, [0, 1, 7, 2 ** 40, 2 ** 62])), true);
  return ["header length field replaced", hfDir(config, tokenizer, out)];
}

function ggufCase(rng: Rng): [string, CaseInput] {
  const op = int(rng, 4);
  const file = (bytes: Uint8Array): CaseInput => ({ type: "model", files: { "model.gguf": bytes }, open: "model.gguf" });
  if (op === 0) return ["metadata bytes flipped", file(flipBytes(rng, CLEAN_GGUF, 4096))];
  if (op === 1) return ["bytes flipped anywhere", file(flipBytes(rng, CLEAN_GGUF))];
  if (op === 2) return ["file truncated", file(truncate(rng, CLEAN_GGUF))];
  // a metadata value replaced: a u32/u64 that follows one of the model's keys
  const key = pick(rng, ["llama.block_count", "llama.embedding_length", "llama.attention.head_count", "llama.attention.head_count_kv", "llama.feed_forward_length", "llama.context_length", "tokenizer.ggml.tokens", "general.alignment"]);
  const needle = new TextEncoder().encode(key);
  const out = Uint8Array.from(CLEAN_GGUF);
  for (let i = 0; i < out.length - needle.length; i++) {
    if (!needle.every((b, j) => out[i + j] === b)) continue;
    const at = i + needle.length + 4; // after the value's type tag
    const value = pick(rng, [0, 1, 3, 0xffffffff, 0x7fffffff, 1000000]);
    new DataView(out.buffer).setUint32(at, value, true);
    return [`${key} value set to ${value}`, file(out)];
  }
  return [`${key} not in the file; bytes flipped instead`, file(flipBytes(rng, CLEAN_GGUF, 4096))];
}

function rftCase(rng: Rng): [string, CaseInput] {
  const file = (bytes: Uint8Array): CaseInput => ({ type: "model", files: { "model.rft": bytes }, open: "model.rft" });
  const op = int(rng, 5);
  if (op === 0) return ["data bytes flipped (its CRC-32 left)", file(flipBytes(rng, CLEAN_RFT))];
  if (op === 1) return ["file truncated", file(truncate(rng, CLEAN_RFT))];
  const view = new DataView(CLEAN_RFT.buffer, CLEAN_RFT.byteOffset);
  const length = Number(view.getBigUint64(8, true));
  const header = JSON.parse(new TextDecoder().decode(CLEAN_RFT.subarray(16, 16 + length)));
  const dataOffset = Math.ceil((16 + length) / 64) * 64;
  let data = CLEAN_RFT.subarray(dataOffset);
  let damage: string;
  if (op === 2) {
    const key = pick(rng, NUMERIC_CONFIG_KEYS);
    header.config[key] = pick(rng, HOSTILE_VALUES);
    damage = `config.${key} = ${json(header.config[key])}`;
  } else if (op === 3) {
    const t = pick(rng, header.tensors as Record<string, unknown>[]);
    const field = pick(rng, ["shape", "offset", "byte_length", "dtype", "crc32"]);
    t[field] = pick(rng, { shape: [[0], [2 ** 31, 2 ** 31], [-1]], offset: [64, 2 ** 50, -64, 1], byte_length: [0, 2 ** 52, 3], dtype: ["q9", "f64", 1], crc32: [0, -1, 2 ** 33, "x"] }[field] as unknown[]);
    damage = `tensor ${t.name}.${field} = ${json(t[field])}`;
  } else {
    // weights damaged and their CRC-32 recomputed: the checksum passes, the contract must judge
    const t = pick(rng, header.tensors as { name: string; offset: number; byte_length: number; crc32: number }[]);
    const copy = Uint8Array.from(data);
    const values = new Float32Array(copy.buffer, t.offset, t.byte_length / 4);
    const value = pick(rng, [Number.NaN, Number.POSITIVE_INFINITY, 0, 1e30]);
    const all = rng() < 0.3;
    for (let i = 0; i < (all ? values.length : 3); i++) values[all ? i : int(rng, values.length)] = value;
    t.crc32 = crc32(copy.subarray(t.offset, t.offset + t.byte_length));
    data = copy;
    damage = `${all ? "all" : "3"} values of ${t.name} set to ${value}, CRC-32 recomputed`;
  }
  const text = new TextEncoder().encode(json(header));
  const start = Math.ceil((16 + text.length) / 64) * 64;
  const out = new Uint8Array(start + data.length);
  out.set(CLEAN_RFT.subarray(0, 16));
  new DataView(out.buffer).setBigUint64(8, BigInt(text.length), true);
  out.set(text, 16);
  out.set(data, start);
  return [damage, file(out)];
}

// ------------------------------------------------------------------ claim files

const CLAIM_TEXT = readFileSync("claims/canary.yaml", "utf8");

function laughs(levels: number): string {
  const lines = ['b0: &b0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`b${i}: &b${i} [${Array(9).fill(`*b${i - 1}`).join(",")}]`);
  return lines.join("\n");
}

function claimCase(rng: Rng): [string, CaseInput] {
  const lines = CLAIM_TEXT.split("\n");
  const op = int(rng, 7);
  if (op === 0) {
    const at = 1 + int(rng, lines.length - 1);
    lines.splice(at, 1);
    return [`line ${at} deleted`, { type: "yaml", text: lines.join("\n") }];
  }
  if (op === 1) {
    const at = 1 + int(rng, lines.length - 1);
    lines.splice(at, 0, lines[at]);
    return [`line ${at} duplicated`, { type: "yaml", text: lines.join("\n") }];
  }
  if (op === 2) {
    const at = 1 + int(rng, lines.length - 1);
    const value = pick(rng, ["-1", "1e309", '""', "[]", "{a: 1}", "*nowhere", "!!binary aGk=", "~", "[[[[[[[[", "&x [*x]"]);
    lines[at] = lines[at].replace(/:\s.*$/, `: ${value}`);
    return [`line ${at} value = ${value}`, { type: "yaml", text: lines.join("\n") }];
  }
  if (op === 3) {
    const levels = 4 + int(rng, 9);
    return [`billion laughs, ${levels} levels`, { type: "yaml", text: `${lines[0]}\n${laughs(levels)}\n${lines.slice(1).join("\n").replace("statement: >-", `statement: *b${levels}\n    old: >-`)}` }];
  }
  if (op === 4) {
    const n = pick(rng, [100, 3000, 20000]);
    return [`${n} models in the matrix`, { type: "yaml", text: CLAIM_TEXT.replace("model: [tiny-llama, tiny-qwen2, tiny-gpt2]", `model: [${Array.from({ length: n }, (_, i) => `m${i}`).join(", ")}]`) }];
  }
  if (op === 5) {
    const depth = pick(rng, [100, 5000, 50000]);
    return [`a value nested ${depth} deep`, { type: "yaml", text: `${CLAIM_TEXT}\nextra: ${"[".repeat(depth)}${"]".repeat(depth)}\n` }];
  }
  return ["bytes flipped", { type: "yaml", text: new TextDecoder().decode(flipBytes(rng, new TextEncoder().encode(CLAIM_TEXT))) }];
}

// ------------------------------------------------------------------ completion responses

function completion(n: number): Record<string, unknown> {
  const content = Array.from({ length: n }, (_, i) => ({ id: 10 + i, token: "t", logprob: -0.25, bytes: [116], top_logprobs: [{ id: 10 + i, token: "t", logprob: -0.25, bytes: [116] }] }));
  return { id: "x", object: "text_completion", created: 0, model: "micro", choices: [{ index: 0, text: "tttt", tokens: content.map((c) => c.id), logprobs: { content }, finish_reason: "length" }] };
}

function httpCase(rng: Rng): [string, CaseInput] {
  const op = int(rng, 8);
  const body = completion(4) as { choices: { logprobs: { content: Record<string, unknown>[] } }[] };
  const content = body.choices[0].logprobs.content;
  const answer = (damage: string, v: unknown, status = 200): [string, CaseInput] => [damage, { type: "http", status, body: typeof v === "string" ? v : json(v) }];
  if (op === 0) {
    const entry = pick(rng, content);
    const field = pick(rng, ["id", "logprob", "top_logprobs"]);
    entry[field] = pick(rng, { id: [-1, 1e9, 2.5, "7", null], logprob: [5, null, "x", 1e308], top_logprobs: [null, "x", [{ id: -3, logprob: 0 }], [{ id: 1, logprob: 10 }]] }[field] as unknown[]);
    return answer(`token ${field} = ${json(entry[field])}`, body);
  }
  if (op === 1) return answer("log p +Inf (1e999)", json(body).replace('"logprob":-0.25', '"logprob":1e999'));
  if (op === 2) return answer("more tokens than asked", completion(pick(rng, [5, 100, 20000])));
  if (op === 3) return answer("a key deleted", (() => {
    const key = pick(rng, ["choices", "logprobs", "content", "text"]);
    return json(body).replace(new RegExp(`"${key}":`), `"${key}_gone":`);
  })());
  if (op === 4) return answer("truncated JSON", json(body).slice(0, int(rng, json(body).length)));
  if (op === 5) return answer("nested 50,000 deep", `{"choices":${"[".repeat(50000)}${"]".repeat(50000)}}`);
  if (op === 6) return answer("a 20 MB body", `{"choices":[{"text":"${"x".repeat(20 << 20)}"}]}`);
  return answer("a server error", pick(rng, ["<html>500</html>", '{"error":{"message":"boom"}}', ""]), pick(rng, [500, 404, 200]));
}

const BUILDERS: Record<Kind, (rng: Rng) => [string, CaseInput]> = {
  "config.json": configCase,
  "tokenizer.json": tokenizerCase,
  safetensors: safetensorsCase,
  gguf: ggufCase,
  rft: rftCase,
  "claim-yaml": claimCase,
  "http-response": httpCase,
};

/** Case `index` of `kind`: the same on every run and machine. */
export function buildCase(kind: Kind, index: number): Case {
  const rng = mulberry32(KINDS.indexOf(kind) * 1_000_003 + index * 7919 + 1);
  const [damage, input] = BUILDERS[kind](rng);
  return { kind, index, damage, input };
}
