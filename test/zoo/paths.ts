// Shared by the zoo tests: where the repository is and how to read its JSON.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ZOO_SLUGS = ["tiny-gpt2", "tiny-llama", "tiny-llama-rope-scaled", "tiny-qwen2"];
export const PROMPTS = ["arithmetic", "code", "completion", "greeting"];

export const repoPath = (relative: string): string => join(REPO, relative);
export const readJson = <T>(relative: string): T => JSON.parse(readFileSync(repoPath(relative), "utf8")) as T;
