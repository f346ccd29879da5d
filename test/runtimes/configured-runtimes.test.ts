// Runtimes made from the project config: a name's kind and settings, secrets read from the
// environment variables the config names (and never reported), the REFUTE_* overrides of the
// runtimes named http and cli, and what blocks when a setting is missing.

import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config.ts";
import { pickModel } from "../../serve/server.ts";
import { makeRuntime } from "../../runtimes/index.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";
import { runtimeSettings } from "../../gates/settings.ts";

const served = [{ model: "mine", format: "native", quant: "q8_0", name: "mine-q8" }];
const config = parseConfig(
  {
    runtimes: {
      srv: { kind: "http", url: "http://127.0.0.1:1", serves: served, headers: { Authorization: { env: "SRV_TOKEN", prefix: "Bearer " } } },
      http: { kind: "http", url: "http://127.0.0.1:2", serves: served },
      tool: { kind: "cli", command: "no-such-command-here", serves: served, generate: { args: ["{model}", "{model_name}", "{prompt}"], output: { tokens: "t" } } },
      typo: { kind: "cli", command: "x", serves: served, generate: { args: ["{modle}"], output: { tokens: "t" } } },
    },
  },
  "/p/refute.config.yaml",
);
const spec = (runtime: string, quant: "q8_0" | "q4_0" = "q8_0"): SubjectSpec => ({ model: "mine", path: "/p/mine", format: "native", quant, backend: "cpu", runtime });

describe("configured runtimes", () => {
  it("an http runtime by name serves what its entry declares and refuses the rest, naming its name and the config", () => {
    const srv = makeRuntime("srv", { config, env: { SRV_TOKEN: "s3cret" } });
    expect(srv.name).toBe("srv");
    expect(srv.serves(spec("srv"))).toBeNull();
    expect(srv.serves(spec("srv", "q4_0"))).toBe("runtime srv (http://127.0.0.1:1) serves mine native q8_0 (/p/refute.config.yaml: runtimes.srv.serves); the check asks for mine native q4_0");
  });

  it("a header whose variable is not set blocks every request, naming the variable; its value never reaches the run's settings", async () => {
    const srv = makeRuntime("srv", { config, env: {} });
    await expect(srv.generate(spec("srv"), "hi", 1)).rejects.toThrow("runtime srv: header Authorization is read from the environment variable SRV_TOKEN, which is not set");
    expect(JSON.stringify(runtimeSettings({ SRV_TOKEN: "s3cret", REFUTE_HTTP_URL: "http://x" }))).not.toContain("s3cret");
  });

  it("REFUTE_HTTP_* override the entry of the runtime named http, and only that one", () => {
    const http = makeRuntime("http", { config, env: { REFUTE_HTTP_SERVES: "mine:native:q4_0" } });
    expect(http.serves(spec("http", "q4_0"))).toBeNull();
    expect(http.serves(spec("http"))).toMatch(/serves mine native q4_0 \(REFUTE_HTTP_SERVES\)/);
    const srv = makeRuntime("srv", { config, env: { REFUTE_HTTP_SERVES: "mine:native:q4_0", SRV_TOKEN: "t" } });
    expect(srv.serves(spec("srv"))).toBeNull();
  });

  it("a cli entry fills {model} with the model's path and {model_name} with its name; a missing command blocks, a placeholder typo is named", async () => {
    const tool = makeRuntime("tool", { config });
    await expect(tool.generate(spec("tool"), "hi", 1)).rejects.toThrow("cli: command not found: no-such-command-here");
    const typo = makeRuntime("typo", { config });
    await expect(typo.generate(spec("typo"), "hi", 1)).rejects.toThrow(/runtimes\.typo: field 'generate\.args': expected placeholders among .*; found \{modle\}/);
  });

  it("a name that is neither a kind nor configured blocks, listing the known names", async () => {
    await expect(makeRuntime("nope", { config }).generate(spec("nope"), "hi", 1)).rejects.toThrow(/no runtime named 'nope': known are embedded, llamacpp, llama-server, refute-serve, http, cli, reference, srv, tool, typo/);
  });
});

describe("refute serve with several models", () => {
  const served = [{ name: "m-q8_0" }, { name: "m-q4_0" }] as unknown as Parameters<typeof pickModel>[0]; // the models themselves are not looked at

  it("a request names its model: none is a 400 listing the ids, an unknown one a 404; with one model none is needed", () => {
    expect(pickModel(served, "m-q4_0").name).toBe("m-q4_0");
    expect(() => pickModel(served, undefined)).toThrow('model is required: this server serves "m-q8_0", "m-q4_0"');
    expect(() => pickModel(served, "m")).toThrow(expect.objectContaining({ status: 404 }));
    expect(pickModel(served.slice(0, 1), undefined).name).toBe("m-q8_0");
  });
});

describe("standalone reproductions", () => {
  it("http: curl with the request refute sends and the secret header as its variable, never its value", () => {
    const srv = makeRuntime("srv", { config, env: { SRV_TOKEN: "s3cret" } });
    const line = srv.reproduction!(spec("srv"), "What's 2+2?", 32);
    expect(line).toBe(
      `curl -sS http://127.0.0.1:1/v1/completions -H 'content-type: application/json' -H "Authorization: Bearer $SRV_TOKEN" -d '{"model":"mine-q8","prompt":"What'\\''s 2+2?","temperature":0,"return_tokens_as_token_ids":true,"max_tokens":32,"logprobs":10}'`,
    );
    expect(line).not.toContain("s3cret");
  });

  it("cli: the filled command line, in the config's directory", () => {
    const withCwd = parseConfig({ runtimes: { tool: { kind: "cli", command: "my tool", cwd: "/opt/x", serves: served, generate: { args: ["--model", "{model}", "--name", "{model_name}", "-p", "{prompt}", "-n", "{max_new_tokens}"], output: { tokens: "t" } } } } }, "/p/refute.config.yaml");
    expect(makeRuntime("tool", { config: withCwd }).reproduction!(spec("tool"), "a b", 4)).toBe("cd /opt/x && 'my tool' --model /p/mine --name mine -p 'a b' -n 4");
  });
});
