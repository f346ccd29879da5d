// The served-subject lists of runtimes configured by text: `model:format:quant`, comma
// separated (REFUTE_HTTP_SERVES), or {model, format, quant} objects (a CLI config's
// `serves`). Parsing errors name where the list came from and the entry.

import { RefuteError } from "./errors.ts";
import type { ServedSubject } from "./subject.ts";
import { FORMATS, isOneOf, QUANTS } from "./vocabulary.ts";

/** One served subject from its fields; `where` names the entry for errors. */
export function servedSubject(model: unknown, format: unknown, quant: unknown, where: string): ServedSubject {
  if (typeof model !== "string" || model.length === 0) throw new RefuteError("E_SERVED", `${where}: model: expected a model name or path`, { where });
  if (!isOneOf(FORMATS, format)) throw new RefuteError("E_SERVED", `${where}: format: expected one of ${FORMATS.join(", ")}; found ${JSON.stringify(format)}`, { where });
  if (!isOneOf(QUANTS, quant)) throw new RefuteError("E_SERVED", `${where}: quant: expected one of ${QUANTS.join(", ")}; found ${JSON.stringify(quant)}`, { where });
  return { model, format, quant };
}

/** "tiny-llama:native:q8_0,tiny-qwen2:gguf:q4_0" (a model name may itself hold colons: format and quant are the last two fields). */
export function parseServedList(text: string, source: string): ServedSubject[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const parts = entry.split(":");
      if (parts.length < 3) throw new RefuteError("E_SERVED", `${source}: '${entry}': expected model:format:quant`, { source, entry });
      const [format, quant] = parts.slice(-2);
      return servedSubject(parts.slice(0, -2).join(":"), format, quant, `${source}: '${entry}'`);
    });
}
