// The tools probes: what the tools suite (claims/tools.yaml) expects of a model-file tool's
// commands, one probe per structural suite of the ground-truth seed. Each asks the subject's
// file commands (runtimes/file-commands.ts) and computes its expectation itself.
//
//   inspect-architecture  check-inspect     counts equal config.json's            inspect-architecture.ts
//   identify-family       check-oracle-id   the architecture named                identify-family.ts
//   validate-accepts      check-validate    the converter's file accepted         validate-accepts.ts
//   validate-corpus       check-validate    each damaged file refused, its code   validate-corpus.ts
//   tensor-dtypes         check-tensors     count and dtypes per quant level      tensor-dtypes.ts
//   tensor-tree           check-tree        blocks and tensors per block          tensor-tree.ts
//   tensor-stats          check-hex, debug  no NaN/Inf, no constant tensor        tensor-stats.ts
//   diff-dtype-only       check-diff        int4 vs int8: only dtypes differ      diff-dtype-only.ts
//   gguf-metadata         check-lint        the keys llama.cpp requires           gguf-metadata.ts
//   list-inventory        check-list        every zoo model with its size         list-inventory.ts

import { diffDtypeOnly } from "./diff-dtype-only.ts";
import { ggufMetadata } from "./gguf-metadata.ts";
import { identifyFamily } from "./identify-family.ts";
import { inspectArchitecture } from "./inspect-architecture.ts";
import { listInventory } from "./list-inventory.ts";
import type { FILE_TOOL_PROBE_NAMES } from "../file-tool-probe.ts";
import type { FileToolProbe } from "./probe.ts";
import { tensorDtypes } from "./tensor-dtypes.ts";
import { tensorStats } from "./tensor-stats.ts";
import { tensorTree } from "./tensor-tree.ts";
import { validateAccepts } from "./validate-accepts.ts";
import { validateCorpus } from "./validate-corpus.ts";

export const FILE_TOOL_PROBES = {
  "inspect-architecture": inspectArchitecture,
  "identify-family": identifyFamily,
  "validate-accepts": validateAccepts,
  "validate-corpus": validateCorpus,
  "tensor-dtypes": tensorDtypes,
  "tensor-tree": tensorTree,
  "tensor-stats": tensorStats,
  "diff-dtype-only": diffDtypeOnly,
  "gguf-metadata": ggufMetadata,
  "list-inventory": listInventory,
} as const satisfies Record<(typeof FILE_TOOL_PROBE_NAMES)[number], FileToolProbe>;
