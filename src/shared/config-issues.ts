/**
 * How a config problem's path reads, the same in the CLI, the server's messages and the form:
 * `data.classes[0]`, `training.epochs`, `(config)` for the whole document.
 */
export function formatIssuePath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || '(config)';
}

/**
 * The message to show beside each form field (keyed `data.classes`, as the form names fields).
 * A problem inside a field (a list entry, a key the form has no field for) also shows at each
 * enclosing field, with its full path so it says which entry is wrong.
 */
export function issuesByField(
  issues: readonly { path: (string | number)[]; message: string }[],
): Record<string, string> {
  const map: Record<string, string> = {};
  for (const i of issues) map[i.path.join('.')] ??= i.message;
  for (const i of issues) {
    for (let n = i.path.length - 1; n > 0; n--) {
      map[i.path.slice(0, n).join('.')] ??= `${formatIssuePath(i.path)}: ${i.message}`;
    }
  }
  return map;
}
