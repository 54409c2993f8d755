/** Reading the experiment config's JSON Schema (sent by the Node side) for the form's choices. */
type Node = {
  properties?: Record<string, Node>;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Node[];
  oneOf?: Node[];
  items?: Node;
  default?: unknown;
};

function child(node: Node | undefined, key: string): Node | undefined {
  if (!node) return undefined;
  if (node.properties?.[key]) return node.properties[key];
  for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) {
    const found = child(alt, key);
    if (found) return found;
  }
  return undefined;
}

/** The allowed values at a dotted path (enums, consts of unions, item enums of arrays). */
export function choicesAt(schema: unknown, path: string): string[] {
  let node = schema as Node | undefined;
  for (const key of path.split('.')) node = child(node, key);
  if (!node) return [];
  const out = new Set<string>();
  const visit = (n: Node) => {
    for (const v of n.enum ?? []) out.add(String(v));
    if (n.const !== undefined) out.add(String(n.const));
    if (n.items) visit(n.items);
    for (const alt of [...(n.anyOf ?? []), ...(n.oneOf ?? [])]) visit(alt);
  };
  visit(node);
  return [...out];
}

/** The `kind` values of a discriminated union at `path`. */
export function kindsAt(schema: unknown, path: string): string[] {
  let node = schema as Node | undefined;
  for (const key of path.split('.')) node = child(node, key);
  return (node?.oneOf ?? node?.anyOf ?? [])
    .map((alt) => String(alt.properties?.kind?.const ?? ''))
    .filter(Boolean);
}
