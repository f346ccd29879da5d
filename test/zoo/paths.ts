// Shared by the zoo tests: where the repository is and how to read its JSON.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ZOO_SLUGS = ["tiny-gpt2", "tiny-llama", "tiny-llama-rope-dynamic", "tiny-llama-rope-scaled", "tiny-llama-spm", "tiny-qwen2"];
/** The seed's four prompts: every zoo model has an oracle of each. */
export const PROMPTS = ["arithmetic", "code", "completion", "greeting"];
/** Corpus v2's prompts: utf8, list (256 tokens) and the chats for every model; long (over 1,024 tokens) for the models with 2,048 positions. */
export const V2_PROMPTS = ["utf8", "list", "chat", "chat-utf8"];
export const LONG_CONTEXT_SLUGS = ["tiny-llama-rope-dynamic", "tiny-llama-rope-scaled", "tiny-llama-spm"];

/** The greedy oracle prompts a zoo model has. */
export const promptsOf = (slug: string): string[] => [...PROMPTS, ...V2_PROMPTS, ...(LONG_CONTEXT_SLUGS.includes(slug) ? ["long"] : [])];

export const repoPath = (relative: string): string => join(REPO, relative);
export const readJson = <T>(relative: string): T => JSON.parse(readFileSync(repoPath(relative), "utf8")) as T;
