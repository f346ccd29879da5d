// YAML of untrusted claim and config files, parsed with its size bounded. js-yaml resolves an
// alias to the anchored node itself, so a 1 KB file of nested aliases ("billion laughs") is a
// small graph that anything walking it as a tree (a schema validator, JSON.stringify of a
// problem's value) expands to billions of values. Before anything walks it, the document's
// size as a tree is counted, sharing counted once per node (linear in the graph), and a
// document past MAX_YAML_VALUES, or one whose alias refers to itself, is refused.

import yaml from "js-yaml";

/** Values (scalars, sequences, mappings) a document may hold once its aliases are expanded. */
export const MAX_YAML_VALUES = 200_000;
/** Bytes a claim or config file may have. */
export const MAX_YAML_BYTES = 1 << 20;

export class YamlBoundError extends Error {}

/** The number of values the tree expansion of `node` holds, or Infinity past `limit`; throws on a cycle. */
function expandedSize(node: unknown, limit: number, sizes: Map<object, number>, onPath: Set<object>): number {
  if (node === null || typeof node !== "object") return 1;
  const known = sizes.get(node);
  if (known !== undefined) return known;
  if (onPath.has(node)) throw new YamlBoundError("an alias refers to a node that contains it (a cycle)");
  onPath.add(node);
  let total = 1;
  for (const child of Object.values(node)) {
    total += expandedSize(child, limit, sizes, onPath);
    if (total > limit) break;
  }
  onPath.delete(node);
  const size = total > limit ? Infinity : total;
  sizes.set(node, size);
  return size;
}

/** The document, when it is within the bounds; YamlBoundError (or js-yaml's own error) otherwise. */
export function loadBoundedYaml(text: string, filename: string): unknown {
  if (text.length > MAX_YAML_BYTES) throw new YamlBoundError(`${text.length} characters, more than the ${MAX_YAML_BYTES} a claim or config file may have`);
  const doc = yaml.load(text, { filename });
  if (expandedSize(doc, MAX_YAML_VALUES, new Map(), new Set()) === Infinity) {
    throw new YamlBoundError(`its aliases expand to more than ${MAX_YAML_VALUES} values (an alias bomb?)`);
  }
  return doc;
}
