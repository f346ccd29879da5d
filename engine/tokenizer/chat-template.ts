// Chat templates: a model's Jinja template (tokenizer_config.json `chat_template`, a GGUF's
// `tokenizer.chat_template`) rendered with @huggingface/jinja, the JavaScript port of the
// Jinja subset transformers renders with, given what apply_chat_template gives it: the
// messages, add_generation_prompt, and the bos and eos tokens' text.

import { Template } from "@huggingface/jinja";
import { RefuteError } from "../../core/errors.ts";

/** A model's chat template with the bos and eos tokens' text it is rendered with. */
export interface ChatTemplate {
  template: string;
  bosToken: string;
  eosToken: string;
}

/** The text of a tokenizer_config.json special-token entry (a string, or an object with content). */
function tokenText(v: unknown): string {
  if (typeof v === "string") return v;
  const content = (v as { content?: unknown } | null)?.content;
  return typeof content === "string" ? content : "";
}

/** tokenizer_config.json's chat_template (a string, or a list of named ones: "default"); null when it has none. */
export function chatTemplateFromConfig(config: Record<string, unknown>): ChatTemplate | null {
  const raw = config.chat_template;
  const template = typeof raw === "string" ? raw : Array.isArray(raw) ? (raw.find((t) => t?.name === "default")?.template as unknown) : undefined;
  if (typeof template !== "string") return null;
  return { template, bosToken: tokenText(config.bos_token), eosToken: tokenText(config.eos_token) };
}

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatOptions {
  addGenerationPrompt: boolean;
  bosToken?: string;
  eosToken?: string;
}

/** The largest template accepted (real ones are a few KB; a template is code from a file). */
export const MAX_TEMPLATE_CHARS = 1 << 16;

export function renderChat(template: string, messages: ChatMessage[], options: ChatOptions): string {
  if (template.length > MAX_TEMPLATE_CHARS) throw new RefuteError("CHAT_TEMPLATE_INVALID", `chat template of ${template.length} characters, more than the ${MAX_TEMPLATE_CHARS} allowed`, { found: template.length });
  let compiled: Template;
  try {
    compiled = new Template(template);
  } catch (e) {
    throw new RefuteError("CHAT_TEMPLATE_INVALID", `chat template does not parse: ${(e as Error).message}`, {});
  }
  try {
    return compiled.render({
      messages,
      add_generation_prompt: options.addGenerationPrompt,
      bos_token: options.bosToken ?? "",
      eos_token: options.eosToken ?? "",
    });
  } catch (e) {
    throw new RefuteError("CHAT_TEMPLATE_INVALID", `chat template failed to render: ${(e as Error).message}`, {});
  }
}
