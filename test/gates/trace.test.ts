// Layer-by-layer traces: the clean engine stays within the float32 bound of the PyTorch
// reference's trace at every tensor of every zoo model, and a fault that enters at one point of
// the forward pass is named there: the expected tensor is where the fault's definition puts it
// (core/faults.ts), not what the tracer happened to print.

import { describe, expect, it } from "vitest";
import { OracleStore } from "../../gates/oracle.ts";
import { compareTraces, TRACE_BOUND } from "../../gates/trace.ts";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import { run as traceCommand } from "../../cli/trace.ts";

const store = new OracleStore("oracle");
const runtime = new EmbeddedRuntime();

async function firstDeparture(model: string, inject?: string): Promise<string | null> {
  const reference = await store.trace(model, "completion");
  const mine = await runtime.trace({ model, format: "native", quant: "f32", backend: "cpu", runtime: "embedded", ...(inject ? { inject } : {}) }, reference.tokens);
  const c = compareTraces(mine, reference.tensors);
  expect(c.missing).toEqual([]);
  return c.first?.name ?? null;
}

describe("trace against the reference", () => {
  it.each(["tiny-llama", "tiny-qwen2", "tiny-gpt2"])("%s: every tensor of the clean engine is within the bound", async (model) => {
    const reference = await store.trace(model, "completion");
    const c = compareTraces(await runtime.trace({ model, format: "native", quant: "f32", backend: "cpu", runtime: "embedded" }, reference.tokens), reference.tensors);
    expect(c.tensors).toHaveLength(30);
    expect(Math.max(...c.tensors.map((t) => t.relative))).toBeLessThan(TRACE_BOUND);
    expect(c.first).toBeNull();
  });

  it.each([
    ["embedding-transposed", "tiny-llama", "embedding"], // the embedding rows themselves are wrong
    ["norm-epsilon-x2", "tiny-llama", "blk.0.attn_norm"], // the first norm of the first layer
    ["qkv-bias-dropped", "tiny-qwen2", "blk.0.q"], // the first projection that has a bias
    ["residual-scaled-1e-4", "tiny-gpt2", "blk.0.attn_output"], // the first branch added to the residual
    ["rope-position-off-by-one", "tiny-llama", "blk.0.attn_output"], // q and k are traced before RoPE: the attention is the first to see it
    ["gqa-head-mapping", "tiny-llama", "blk.0.attn_output"], // which kv head a query reads: attention again
    ["untied-head-as-tied", "tiny-qwen2", "logits"], // only the head differs
    ["activation-constant-1e-3", "tiny-qwen2", "blk.0.mlp_output"], // silu inside the first MLP
    ["activation-constant-1e-3", "tiny-gpt2", "blk.0.mlp_output"], // gelu_new inside the first MLP
  ])("%s on %s first departs at %s", async (fault, model, tensor) => {
    expect(await firstDeparture(model, fault)).toBe(tensor);
  });

  it("refute trace exits 1 naming the tensor, 0 when within the bound, 2 without a reference trace", async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    expect(await traceCommand(["--model", "tiny-llama", "--prompt", "completion", "--inject", "norm-epsilon-x2", "--json"], io)).toBe(1);
    expect(JSON.parse(out[0]).first.name).toBe("blk.0.attn_norm");
    expect(await traceCommand(["--model", "tiny-gpt2", "--prompt", "completion", "--against", "backend:cpu-ts"], io)).toBe(0);
    expect(out.at(-1)).toMatch(/every tensor is within the bound$/);
    expect(await traceCommand(["--model", "tiny-llama", "--prompt", "greeting"], io)).toBe(2);
    expect(out.at(-1)).toMatch(/no reference trace of tiny-llama for prompt greeting .*gen_trace\.py/);
  });
});
