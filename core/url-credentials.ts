// Credentials written into a URL (http://user:password@host/...) are a secret: they never reach
// a log, a report or a reproduction. A runtime takes them out of its base URL once, when it is
// made, and sends them as the Authorization header fetch would otherwise refuse to build.
// Also: whether a URL is loopback (a local test server), where plain http is acceptable.

export interface SplitUrl {
  url: string; // without credentials
  authorization: string | null; // "Basic <base64 user:password>", or null when the URL had none
}

export function splitCredentials(raw: string): SplitUrl {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return { url: redactCredentials(raw), authorization: null };
  }
  if (!parsed.username && !parsed.password) return { url: raw, authorization: null };
  const pair = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.toString().replace(/\/$/, raw.endsWith("/") ? "/" : ""), authorization: `Basic ${Buffer.from(pair).toString("base64")}` };
}

/** The text with any `scheme://user:password@` written as `scheme://***@`. */
export function redactCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, "$1***@");
}

/** Whether the URL's host is the loopback interface (127.0.0.0/8, ::1, localhost). */
export function isLoopback(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
