import { describe, expect, it } from "vitest";
import { RefuteError } from "../../core/errors.ts";
import { architectureFromHfConfig } from "./config.ts";
import { checkShape, expectedShapes } from "./contract.ts";

const qwen2 = {
  architectures: ["Qwen2ForCausalLM"],
  model_type: "qwen2",
  vocab_size: 1024,
  hidden_size: 128,
  intermediate_size: 256,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  max_position_embeddings: 512,
  tie_word_embeddings: false,
};

function errorOf(fn: () => unknown): RefuteError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RefuteError) return e;
    throw e;
  }
  throw new Error("expected a RefuteError");
}

describe("config.json -> architecture", () => {
  it("describes Qwen2 as data: GQA, qkv bias, untied head, its rope theta", () => {
    const a = architectureFromHfConfig(qwen2);
    expect(a).toMatchObject({ family: "qwen2", heads: 4, kvHeads: 2, headDim: 32, qkvBias: true, tiedEmbeddings: false, ropeTheta: 1e6, norm: "rms", activation: "silu", gatedMlp: true });
  });

  it("describes GPT-2 with its defaults (n_inner null = 4 x n_embd, tied, learned positions)", () => {
    const a = architectureFromHfConfig({ model_type: "gpt2", vocab_size: 50257, n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, n_inner: null });
    expect(a).toMatchObject({ family: "gpt2", intermediate: 3072, tiedEmbeddings: true, position: "learned", norm: "layer", outputBias: true, headDim: 64, activation: "gelu_new", gatedMlp: false, rotaryDims: 0 });
  });

  it.each([
    ["an unsupported model_type", { ...qwen2, model_type: "mamba" }, "CONFIG_UNSUPPORTED_MODEL", "model_type"],
    ["a missing hidden_size", { ...qwen2, hidden_size: undefined }, "CONFIG_BAD_FIELD", "hidden_size"],
    ["a fractional layer count", { ...qwen2, num_hidden_layers: 2.5 }, "CONFIG_BAD_FIELD", "num_hidden_layers"],
    ["heads not a multiple of kv heads", { ...qwen2, num_key_value_heads: 3 }, "CONFIG_BAD_FIELD", "num_key_value_heads"],
    ["a string vocab size", { ...qwen2, vocab_size: "1024" }, "CONFIG_BAD_FIELD", "vocab_size"],
  ])("rejects %s, naming the field", (_what, config, code, field) => {
    const e = errorOf(() => architectureFromHfConfig(config, "m/config.json"));
    expect(e.code).toBe(code);
    expect(e.facts.field).toBe(field);
    expect(e.message).toContain("m/config.json");
  });

  it("rejects a config that is not an object", () => {
    expect(errorOf(() => architectureFromHfConfig([1, 2])).code).toBe("CONFIG_NOT_OBJECT");
  });
});

describe("layout contract", () => {
  const arch = architectureFromHfConfig(qwen2);
  const shapes = expectedShapes(arch);

  it("requires [out, in] matrices and GQA-sized k/v", () => {
    expect(shapes.get("blk.0.attn_q.weight")).toEqual([128, 128]);
    expect(shapes.get("blk.0.attn_k.weight")).toEqual([64, 128]);
    expect(shapes.get("blk.1.ffn_down.weight")).toEqual([128, 256]);
    expect(shapes.get("blk.0.attn_k.bias")).toEqual([64]);
    expect(shapes.get("output.weight")).toEqual([1024, 128]);
  });

  it("gives an embedding violation its own code and says when it is transposed", () => {
    const e = errorOf(() => checkShape("token_embd.weight", [1024, 128], [128, 1024]));
    expect(e.code).toBe("LAYOUT_EMBEDDING_SHAPE");
    expect(e.facts.transposed).toBe(true);
    expect(e.message).toMatch(/expected shape \[1024,128\], found \[128,1024\].*transpose/);
  });

  it("gives a matmul weight violation its own code", () => {
    const e = errorOf(() => checkShape("blk.0.ffn_up.weight", [256, 128], [256, 64]));
    expect(e.code).toBe("LAYOUT_WEIGHT_SHAPE");
    expect(e.facts.transposed).toBe(false);
  });
});
