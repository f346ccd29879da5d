// URL credentials are taken out before a URL is used or shown; loopback is told apart.

import { describe, expect, it } from "vitest";
import { isLoopback, redactCredentials, splitCredentials } from "./url-credentials.ts";

describe("splitCredentials", () => {
  it("takes user and password out of the URL into a Basic Authorization header", () => {
    expect(splitCredentials("http://user:p%40ss@127.0.0.1:8080/v1")).toEqual({ url: "http://127.0.0.1:8080/v1", authorization: `Basic ${Buffer.from("user:p@ss").toString("base64")}` });
  });

  it("leaves a URL without credentials as it is", () => {
    expect(splitCredentials("http://127.0.0.1:8080/")).toEqual({ url: "http://127.0.0.1:8080/", authorization: null });
  });

  it("redacts credentials in an unparsable URL", () => {
    expect(splitCredentials("http://user:secret@[bad").url).not.toContain("secret");
  });
});

describe("redactCredentials", () => {
  it("hides credentials in any text", () => {
    expect(redactCredentials("cannot reach https://me:hunter2@example.com/v1/models (ECONNREFUSED)")).toBe("cannot reach https://***@example.com/v1/models (ECONNREFUSED)");
  });
});

describe("isLoopback", () => {
  it.each([
    ["http://127.0.0.1:3000", true],
    ["http://localhost/x", true],
    ["http://[::1]:8080", true],
    ["http://192.0.2.2:18777", false],
    ["https://api.github.com", false],
    ["not a url", false],
  ])("%s: %s", (url, loopback) => {
    expect(isLoopback(url)).toBe(loopback);
  });
});
