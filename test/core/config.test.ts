// The project config: what it accepts, where its paths point, and how a mistake is named
// (the file, the field, what was expected and what was found).

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findConfig, loadConfig, parseConfig, runtimeKind, runtimeNames } from "../../core/config.ts";
import { locateModel, modelProblem } from "../../core/model-ref.ts";
import { tempDir } from "../gates/helpers.ts";

const FILE = "/work/proj/refute.config.yaml";
const served = [{ model: "mine", format: "native", quant: "q8_0" }];

function problem(doc: unknown): string {
  try {
    parseConfig(doc, FILE);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the config was accepted");
}

describe("project config", () => {
  it("resolves paths against the file's directory and keeps the runtimes' settings", () => {
    const config = parseConfig(
      {
        oracle: "./oracle",
        models: { mine: "models/mine", other: { path: "/abs/other.gguf", family: "llama" } },
        runtimes: { srv: { kind: "http", url: "http://127.0.0.1:8080", serves: served, headers: { Authorization: { env: "MY_TOKEN", prefix: "Bearer " } } }, eng: { kind: "embedded", threads: 2 } },
      },
      FILE,
    );
    expect(config.oracle).toBe("/work/proj/oracle");
    expect(config.models).toEqual({ mine: { path: "/work/proj/models/mine" }, other: { path: "/abs/other.gguf", family: "llama" } });
    expect(runtimeKind("srv", config)).toBe("http");
    expect(runtimeKind("embedded", config)).toBe("embedded");
    expect(runtimeKind("nope", config)).toBeNull();
    expect(runtimeNames(config)).toEqual(["embedded", "llamacpp", "llama-server", "refute-serve", "http", "cli", "reference", "srv", "eng"]);
  });

  it.each([
    ["an unknown top-level field", { oracles: "x" }, /field 'oracles': expected no such field \(known: oracle, reports, claims, models, runtimes\)/],
    ["an unknown runtime field, listing its kind's fields", { runtimes: { s: { kind: "http", url: "http://x", serves: served, timeout: 5 } } }, /field 'runtimes.s.timeout': expected no such field \(known: kind, url, serves, model, prompt/],
    ["a missing url", { runtimes: { s: { kind: "http", serves: served } } }, /field 'runtimes.s.url': expected the field to be present/],
    ["an unknown kind", { runtimes: { s: { kind: "grpc" } } }, /field 'runtimes.s.kind': expected one of "embedded", "llamacpp", "llama-server", "http", "cli"; found "grpc"/],
    ["a served quant outside the vocabulary", { runtimes: { s: { kind: "http", url: "http://x", serves: [{ model: "m", format: "native", quant: "q5_1" }] } } }, /field 'runtimes.s.serves.0.quant': expected one of .*"q4_0".*; found "q5_1"/],
    ["a header value written in the file instead of a variable", { runtimes: { s: { kind: "http", url: "http://x", serves: served, headers: { Authorization: "Bearer abc" } } } }, /field 'runtimes.s.headers.Authorization'/],
    ["a model named like a zoo model", { models: { "tiny-llama": "/somewhere" } }, /field 'models.tiny-llama': expected a name that is not a zoo model's/],
  ])("refuses %s, naming the file and the field", (_what, doc, message) => {
    const text = problem(doc);
    expect(text.startsWith(`${FILE}: field '`)).toBe(true);
    expect(text).toMatch(message);
  });

  it("a config file that is missing or not YAML is a clear error; the working directory's is found without --config", () => {
    const dir = tempDir("refute-config-");
    expect(() => loadConfig(join(dir, "none.yaml"))).toThrow(/none\.yaml: no such config file/);
    writeFileSync(join(dir, "bad.yaml"), "models: [unclosed");
    expect(() => loadConfig(join(dir, "bad.yaml"))).toThrow(/bad\.yaml: not valid YAML/);
    expect(findConfig(undefined, dir).file).toBeNull();
    mkdirSync(join(dir, "m"));
    writeFileSync(join(dir, "refute.config.yaml"), "models:\n  mine: ./m\n");
    expect(findConfig(undefined, dir).models.mine.path).toBe(join(dir, "m"));
  });
});

describe("model names", () => {
  const config = { file: FILE, models: { mine: { path: "/nowhere/mine" } } };

  it("a configured name carries its path, a path goes by its base name, a zoo slug by itself", () => {
    expect(locateModel("mine", config)).toEqual({ model: "mine", path: "/nowhere/mine" });
    expect(locateModel("/tmp/x/my-model.gguf", config)).toEqual({ model: "my-model", path: "/tmp/x/my-model.gguf" });
    expect(locateModel("/tmp/x/hf-dir/", config)).toEqual({ model: "hf-dir", path: "/tmp/x/hf-dir" });
    expect(locateModel("tiny-llama", config)).toEqual({ model: "tiny-llama" });
  });

  it("an unknown name lists what a name may be, including the config's models", () => {
    expect(modelProblem("tiny-llama", config)).toBeNull();
    expect(modelProblem("mine", config)).toBe(`model 'mine' of ${FILE} at an existing path (/nowhere/mine does not exist)`);
    expect(modelProblem("tiny-lama", config)).toMatch(/^a zoo model \(tiny-gpt2, tiny-llama, tiny-llama-rope-dynamic, tiny-llama-rope-scaled, tiny-llama-spm, tiny-qwen2\), a model of .* \(mine\), a synthetic shape/);
    expect(modelProblem("/no/such/dir", config)).toBe("an existing model directory or file");
  });
});
