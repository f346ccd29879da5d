// The runtimes' settings a run was made with, for its report and a ticket's reproduction:
// every REFUTE_* variable of the environment, with the value of any whose name says it holds
// a secret (token, key, secret, password, auth, header) replaced, and credentials written into
// any URL (http://user:password@host) masked, so no secret reaches a report, a log or an issue.

import { redactCredentials } from "../core/url-credentials.ts";

const SECRET = /TOKEN|KEY|SECRET|PASSWORD|AUTH|HEADER/i;
export const REDACTED = "<redacted>";

export function runtimeSettings(env: Record<string, string | undefined>): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith("REFUTE_") || value === undefined) continue;
    settings[name] = SECRET.test(name) ? REDACTED : redactCredentials(value);
  }
  return settings;
}
