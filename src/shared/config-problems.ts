/**
 * Config problems as the user should read them: one line per problem, naming the entry
 * (`data.classes[0]: 'joy' is not an emotion (one of …)`), with a "did you mean" where a key or a
 * value is a near miss. zod reports an unknown key once per object and a failed union once for
 * the whole union; these helpers split the first per key and look inside the second.
 */
import { z } from 'zod';
import { formatIssuePath } from './config-issues';

export interface ConfigProblem {
  path: (string | number)[];
  message: string;
}

/** `data.classes[0]`, `training.epochs`; `(config)` for the whole document. */
export const formatPath = formatIssuePath;

/** Edit distance (insert, delete, substitute, swap neighbours), for near-miss suggestions. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate when it is plausibly what was meant (case-insensitive, a few edits). */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  if (best !== null && bestD <= allowed) return best;
  // A shortened or extended name (`patchHop` for `patchHopSec`).
  if (w.length >= 3)
    return candidates.find((c) => c.toLowerCase().startsWith(w) || w.startsWith(c.toLowerCase())) ?? null;
  return null;
}

/**
 * The known keys of the object behind each unknown-key issue. zod passes the issue's `keys` array
 * through to the final issue, so it identifies the issue without walking the schema again.
 */
const knownKeysOf = new WeakMap<readonly string[], string[]>();

/**
 * `z.strictObject` whose unknown keys become problems of their own, each with a suggestion
 * (see configProblems). Every object of the config schema is built with it.
 */
export function strictObject<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== 'unrecognized_keys') return undefined;
      knownKeysOf.set(iss.keys, known);
      return `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `'${k}'`).join(', ')}`;
    },
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

const keyPath = (path: readonly PropertyKey[]): (string | number)[] =>
  path.map((p) => (typeof p === 'symbol' ? String(p) : p));

/** An option of a union failed on the value's type itself (not inside it). */
function failedAtRoot(issues: readonly z.core.$ZodIssue[]): boolean {
  return issues.some(
    (i) =>
      i.path.length === 0 &&
      (i.code === 'invalid_type' || i.code === 'invalid_value' || i.code === 'invalid_union'),
  );
}

function problemsOf(issue: z.core.$ZodIssue, base: readonly PropertyKey[], input: unknown): ConfigProblem[] {
  const at = [...base, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysOf.get(issue.keys) ?? [];
    return issue.keys.map((key) => {
      const near = didYouMean(key, known);
      const message = near
        ? `unknown key; did you mean '${formatPath(keyPath([...at, near]))}'?`
        : `unknown key${known.length ? ` (known here: ${known.join(', ')})` : ''}`;
      return { path: keyPath([...at, key]), message };
    });
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // The option whose type the value has is the one the user meant: report what is wrong inside it.
    const fitting = issue.errors.filter((e) => !failedAtRoot(e));
    if (fitting.length === 1) return fitting[0].flatMap((i) => problemsOf(i, at, input));
  }
  let message = issue.message;
  const value = valueAt(input, at);
  if (issue.code === 'invalid_value' && typeof value === 'string') {
    const near = didYouMean(
      value,
      issue.values.filter((v): v is string => typeof v === 'string'),
    );
    if (near && near !== value) message += ` (did you mean '${near}'?)`;
  }
  return [{ path: keyPath(at), message }];
}

/** Every problem of a failed parse of `input`, one per entry, in the order zod found them. */
export function configProblems(error: z.ZodError, input: unknown): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const issue of error.issues) {
    for (const p of problemsOf(issue as z.core.$ZodIssue, [], input)) {
      const line = `${formatPath(p.path)}: ${p.message}`;
      if (!seen.has(line)) {
        seen.add(line);
        out.push(p);
      }
    }
  }
  return out;
}

/** "training.batchSize: must be a positive integer" lines, one per problem. */
export function formatProblems(problems: readonly ConfigProblem[]): string[] {
  return problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
}

/** `zs.object(shape)` reads like `z.object(shape)` and is strict (see strictObject). */
export const strict = { object: strictObject };
