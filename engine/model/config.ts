// From a Hugging Face config.json to one Architecture, reading the keys its family's
// specification names (families/). Every field read is checked; errors name the file, the
// field and what was expected. Not here: which keys a family has (its specification file).

import { RefuteError } from "../../core/errors.ts";
import type { Architecture } from "./architecture.ts";
import type { FamilySpec, ReadFields, ShapeField } from "./families/family.ts";
import { familyForModelType } from "./families/index.ts";
import { contextPositions, type RopeScaling, ropeScalingFromConfig } from "./rope-scaling.ts";

type Json = Record<string, unknown>;

// Dependency order: a fallback may use any field before its own.
const READ_ORDER: readonly ShapeField[] = ["vocabSize", "hidden", "layers", "heads", "kvHeads", "headDim", "rotaryDims", "intermediate", "maxPositions", "normEps", "ropeTheta"];
const REAL_FIELDS: ReadonlySet<ShapeField> = new Set(["normEps", "ropeTheta"]);

// The value of a field whose family names no config key for it.
const DERIVED: Partial<Record<ShapeField, (read: ReadFields, spec: FamilySpec) => number>> = {
  kvHeads: ({ heads }) => heads, // no grouped-query attention
  headDim: ({ hidden, heads }) => hidden / heads,
  rotaryDims: ({ headDim }, spec) => (spec.traits.position === "rope" ? headDim : 0),
  ropeTheta: () => 0, // learned positions: no RoPE
};

function field(config: Json, key: string, file: string, fallback?: number): number {
  const value = config[key] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: field ${key} must be a positive number, found ${JSON.stringify(config[key])}`, {
      file,
      field: key,
      found: config[key],
    });
  }
  return value;
}

function integer(config: Json, key: string, file: string, fallback?: number): number {
  const value = field(config, key, file, fallback);
  if (!Number.isSafeInteger(value)) {
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: field ${key} must be an integer, found ${value}`, { file, field: key, found: value });
  }
  return value;
}

function tokenId(config: Json, key: string): number | null {
  const v = config[key];
  return typeof v === "number" && Number.isSafeInteger(v) ? v : null;
}

// What any model this engine can run stays within (Llama 3.1 405B: hidden 16384, 126 layers,
// 128 heads, intermediate 53248, vocabulary 128256). A config beyond is refused before anything
// is sized by it: a layer count of 2^31 must not become a map of 2^31 expected tensors.
const SHAPE_LIMITS: Partial<Record<ShapeField, number>> = {
  vocabSize: 1 << 22,
  hidden: 1 << 16,
  layers: 1024,
  heads: 1024,
  kvHeads: 1024,
  headDim: 1024,
  rotaryDims: 1024,
  intermediate: 1 << 18,
  maxPositions: 1 << 24,
};

function checkBounds(read: ReadFields, file: string, spec: FamilySpec): void {
  for (const [f, limit] of Object.entries(SHAPE_LIMITS) as [ShapeField, number][]) {
    const key = spec.config[f]?.key ?? f;
    if (read[f] > limit) throw new RefuteError("CONFIG_BAD_FIELD", `${file}: ${key} ${read[f]} is more than the ${limit} the engine allows`, { file, field: key, found: read[f] });
  }
  if (!Number.isSafeInteger(read.headDim)) {
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: ${spec.config.hidden.key} ${read.hidden} is not a multiple of ${spec.config.heads.key} ${read.heads}: the head size would be ${read.headDim}`, { file, field: spec.config.heads.key });
  }
  if (read.maxPositions < 2) {
    const key = spec.config.maxPositions.key;
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: ${key} ${read.maxPositions} leaves no room for a prompt token and a generated one (at least 2)`, { file, field: key, found: read.maxPositions });
  }
  if (read.rotaryDims > read.headDim) throw new RefuteError("CONFIG_BAD_FIELD", `${file}: rotary dimensions ${read.rotaryDims} exceed the head size ${read.headDim}`, { file, field: spec.config.rotaryDims?.key ?? "rotaryDims" });
}

/** The shape fields of the config, by the family's keys, fallbacks and derivations. */
function shapeFields(c: Json, file: string, spec: FamilySpec): ReadFields {
  const read = {} as Record<ShapeField, number>;
  for (const f of READ_ORDER) {
    const entry = spec.config[f];
    if (!entry) {
      read[f] = (DERIVED[f] as (read: ReadFields, spec: FamilySpec) => number)(read, spec);
      continue;
    }
    const fallback = entry.fallback?.(read);
    read[f] = REAL_FIELDS.has(f) ? field(c, entry.key, file, fallback) : integer(c, entry.key, file, fallback);
  }
  return read;
}

function checkActivation(c: Json, file: string, spec: FamilySpec): void {
  const key = spec.activationKey;
  if (key === null) return;
  const activation = c[key] ?? spec.traits.activation;
  if (activation !== spec.traits.activation) {
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: ${key} ${JSON.stringify(activation)} is not supported (expected ${spec.traits.activation})`, {
      file,
      field: key,
    });
  }
}

function checkHeads(read: ReadFields, file: string, spec: FamilySpec): void {
  const kvKey = spec.config.kvHeads?.key;
  if (kvKey !== undefined && read.heads % read.kvHeads !== 0) {
    throw new RefuteError("CONFIG_BAD_FIELD", `${file}: ${spec.config.heads.key} ${read.heads} is not a multiple of ${kvKey} ${read.kvHeads}`, { file, field: kvKey });
  }
}

export function architectureFromHfConfig(config: unknown, file = "config.json"): Architecture {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new RefuteError("CONFIG_NOT_OBJECT", `${file}: must be a JSON object`, { file });
  }
  const c = config as Json;
  const spec = familyForModelType(c.model_type, file);
  const shape = shapeFields(c, file, spec);
  checkBounds(shape, file, spec);
  checkHeads(shape, file, spec);
  checkActivation(c, file, spec);
  const { traits } = spec;
  const ropeScaling = ropeScalingOf(c, shape.maxPositions, file, traits.position);
  return {
    family: spec.family,
    ...shape,
    maxPositions: contextPositions(shape.maxPositions, ropeScaling),
    ...traits,
    qkvBias: traits.qkvBias || (spec.qkvBiasKey !== null && c[spec.qkvBiasKey] === true),
    tiedEmbeddings: c.tie_word_embeddings === undefined ? traits.tiedEmbeddings : c.tie_word_embeddings === true,
    bosTokenId: tokenId(c, "bos_token_id"),
    eosTokenId: tokenId(c, "eos_token_id"),
    ropeScaling,
  };
}

function ropeScalingOf(c: Json, maxPositions: number, file: string, position: "rope" | "learned"): RopeScaling | null {
  const scaling = ropeScalingFromConfig(c, maxPositions, file);
  if (scaling && position === "learned") throw new RefuteError("CONFIG_BAD_FIELD", `${file}: rope_scaling on a model with learned positions, which has no RoPE to scale`, { file, field: "rope_scaling" });
  return scaling;
}
