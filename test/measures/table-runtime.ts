// A fake runtime with every capability, for the table of measures: `clean` says what the
// fixture oracle says (and what mathematics expects of kernels, timings, caches and probes);
// `broken` gets each of them wrong in the way its measure exists to see. It is built from the
// fixture oracle's generator (and, for model files, a fake tool over a toy model), never from
// a measure's output.

import { cpuKernels } from "../../engine/backends/cpu/kernels.ts";
import type { Kernels } from "../../engine/backends/kernels.ts";
import { CAPABILITIES, type Capability, type RuntimeName } from "../../core/vocabulary.ts";
import type {
  BenchmarkRequest,
  BenchmarkResult,
  Generation,
  GenerationSettings,
  KvCacheSettings,
  KvCompression,
  Perplexity,
  Runtime,
  ScoreOptions,
  Scoring,
  ServingEndpoint,
  SubjectSpec,
} from "../../runtimes/runtime.ts";
import { createServer, type Server } from "node:http";
import { loadServedModel } from "../../serve/load.ts";
import { createServingServer, listen } from "../../serve/server.ts";
import { PROBES } from "../../measures/model-file/index.ts";
import type { ModelFileTool } from "../../runtimes/model-file-tool.ts";
import { FakeModelFileTool } from "./fake-model-file-tool.ts";
import { EmbeddedFileCommands } from "../../runtimes/embedded-file-commands.ts";
import type { FileCommands } from "../../runtimes/file-commands.ts";
import { NO_HOOKS } from "../../engine/hooks.ts";
import { decode, FIXTURE_TOKENS_SCORED, fixtureRender, ORACLE_PPL, oracleTokens, oracleTopK, PROMPTS } from "../gates/fixtures/make-oracle.ts";

export type Behaviour = "clean" | "broken";

const promptName = (text: string) => Object.entries(PROMPTS).find(([, t]) => t === text)![0];

/** A broken RMS norm: 1e-3 added to every output (so a zero vector does not normalize to zero). */
const brokenKernels: Kernels = new Proxy(cpuKernels, {
  get(target, property, receiver) {
    if (property === "name") return "broken";
    if (property === "rmsNorm") {
      return (x: Float32Array, w: Float32Array, eps: number, out: Float32Array) => {
        target.rmsNorm(x, w, eps, out);
        for (let i = 0; i < out.length; i++) out[i] += 1e-3;
      };
    }
    return Reflect.get(target, property, receiver);
  },
});

/** A server in front of the one on `port` that answers every request 400 ms late. */
function lateProxy(port: number): Server {
  return createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const answer = await fetch(`http://127.0.0.1:${port}${req.url}`, { method: req.method, headers: { "content-type": "application/json" }, body: req.method === "POST" ? Buffer.concat(chunks) : undefined });
    res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
    for await (const chunk of answer.body ?? []) res.write(chunk);
    res.end();
  });
}

export class TableRuntime implements Runtime {
  serves(): string | null {
    return null;
  }

  readonly capabilities: ReadonlySet<Capability> = new Set(CAPABILITIES);

  constructor(
    readonly name: RuntimeName,
    /** How the subject behaves; `against` subjects (another runtime, another quant) are always clean. */
    private readonly behaviour: (spec: SubjectSpec) => Behaviour,
  ) {}

  async tokenize(spec: SubjectSpec, text: string): Promise<number[]> {
    const ids = [...text].map((c) => c.charCodeAt(0));
    return this.behaviour(spec) === "broken" ? ids.map((t, i) => (i === 0 ? t + 1 : t)) : ids;
  }

  /** Broken: the generation prompt left out. */
  async applyChatTemplate(spec: SubjectSpec, messages: { role: string; content: string }[], addGenerationPrompt: boolean): Promise<string | null> {
    return fixtureRender(messages, addGenerationPrompt && this.behaviour(spec) === "clean");
  }

  async generate(spec: SubjectSpec, prompt: string, maxNewTokens: number, settings: GenerationSettings = {}): Promise<Generation> {
    // Broken: eight tokens wrong, all one token repeated (for a kv claim's subject, only through the quantized cache).
    const wrong = this.behaviour(spec) === "broken" && (settings.kvCache !== undefined || !this.kvOnly(spec));
    const oracle = oracleTokens(spec.model, promptName(prompt)).slice(0, maxNewTokens);
    const tokens = oracle.map((t, i) => (wrong && i >= 8 && i < 16 ? oracle[8] + 1 : t));
    // Broken also says it stopped at an end token where the oracle ran to max_new_tokens
    return { promptTokens: [1, 2, 3], tokens, text: decode(tokens), topk: oracleTopK(tokens), finishReason: wrong ? "stop" : "length" };
  }

  /** The subjects of the table's kv claims (safetensors f32): broken only through a quantized cache. */
  private kvOnly(spec: SubjectSpec): boolean {
    return spec.format === "safetensors" && spec.quant === "f32";
  }

  async score(spec: SubjectSpec, prompt: string, tokens: number[], options: ScoreOptions = {}): Promise<Scoring> {
    const oracle = oracleTopK(oracleTokens(spec.model, promptName(prompt)));
    const broken = this.behaviour(spec) === "broken";
    const steps = tokens.map((token, i) => {
      // Broken: the oracle's first and second candidates swap their log p at every step.
      const topk = oracle[i].map((e, k) => (broken && k < 2 ? { token: e.token, logprob: oracle[i][1 - k].logprob } : e)).sort((a, b) => b.logprob - a.logprob);
      const logprobOf = (t: number) => topk.find((e) => e.token === t)?.logprob ?? null;
      return { token, logprob: logprobOf(token) ?? -20, topk: topk.slice(0, options.topK ?? 10), candidates: (options.candidates?.[i] ?? []).map(logprobOf) };
    });
    return { promptTokens: [1, 2, 3], steps };
  }

  async perplexity(spec: SubjectSpec, _text: string, window: number, stride: number, settings: GenerationSettings = {}): Promise<Perplexity> {
    const base = ORACLE_PPL[spec.model];
    const broken = this.behaviour(spec) === "broken" && (settings.kvCache !== undefined || !this.kvOnly(spec));
    return { perplexity: broken ? base * 2.5 : base, tokensScored: FIXTURE_TOKENS_SCORED, window, stride };
  }

  /** Clean: every token costs 1 ms, in every round. Broken: each token costs as much as the context so far (no cache), and every other round twice that. */
  async benchmark(spec: SubjectSpec, request: BenchmarkRequest): Promise<BenchmarkResult> {
    const broken = this.behaviour(spec) === "broken";
    const ms = broken ? ((request.tokens * (request.tokens + 1)) / 2) * (1 + ((request.round ?? 0) % 2)) : request.tokens;
    return { samplesMs: Array.from({ length: request.reps }, () => ms), tokens: request.tokens, threads: 1, backend: this.name };
  }

  async kernels(spec: SubjectSpec): Promise<Kernels> {
    return this.behaviour(spec) === "broken" ? brokenKernels : cpuKernels;
  }

  async kvCompression(spec: SubjectSpec, _text: string, _tokens: number, kv: KvCacheSettings): Promise<KvCompression> {
    const snrDb = this.behaviour(spec) === "broken" ? 3 : kv.bits === 8 ? 45 : 20;
    const cosine = this.behaviour(spec) === "broken" ? 0.5 : kv.bits === 8 ? 0.99998 : 0.995;
    const fidelity = { snrDb, cosine, maxAbsError: 0.01 };
    return { ...fidelity, count: 1024, quality: "fixture", compressionRatio: 3.76, originalBytes: 4096, compressedBytes: 1089, keys: fidelity, values: fidelity, tensors: [{ name: "layer_0_key", ...fidelity }] };
  }

  /** Broken: the fake tool has every bug the model-file probes exist to see. */
  async modelFiles(spec: SubjectSpec): Promise<ModelFileTool> {
    return new FakeModelFileTool(this.behaviour(spec) === "broken" ? new Set(PROBES) : new Set());
  }

  /** refute's own file commands on the zoo's tiny-llama; broken: inspect says one layer more than the file has. */
  async fileCommands(spec: SubjectSpec): Promise<FileCommands> {
    const tools = new EmbeddedFileCommands("tiny-llama", NO_HOOKS);
    if (this.behaviour(spec) !== "broken") return tools;
    const inspect = async (file: string) => {
      const report = await tools.inspect(file);
      return { ...report, layers: (report.layers ?? 0) + 1 };
    };
    return Object.assign(Object.create(tools) as FileCommands, { inspect });
  }

  /** A real refute serve of the zoo's tiny-llama; broken: it generates max_tokens + 1 tokens, and answers each request 400 ms late. */
  async serving<T>(spec: SubjectSpec, use: (endpoint: ServingEndpoint) => Promise<T>): Promise<T> {
    const broken = this.behaviour(spec) === "broken";
    const { model } = loadServedModel("tiny-llama");
    const server = createServingServer([{ name: "tiny-llama", model, hooks: broken ? { maxTokensExtra: 1 } : undefined }]);
    const { port } = await listen(server, 0, "127.0.0.1");
    const front = broken ? lateProxy(port) : null;
    const frontPort = front ? (await listen(front, 0, "127.0.0.1")).port : port;
    try {
      return await use({ baseUrl: `http://127.0.0.1:${frontPort}`, model: "tiny-llama", headers: {}, timeoutMs: 30_000, maxBodyBytes: 1 << 20, settings: { fixture: true } });
    } finally {
      front?.close();
      server.close();
    }
  }

  async close(): Promise<void> {}
}
