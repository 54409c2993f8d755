/**
 * Config mutations: seeded changes to valid experiment configs (keys deleted, renamed or
 * misspelled, values of the wrong type, bad enum values, numbers out of range, extra keys at any
 * depth). Every mutation must be either valid, and then survive a JSON round trip unchanged, or
 * refused with a ConfigError whose problems name a field at or around the mutated path, and the
 * served mode's `config.validate` must report the same problems. Nothing may throw anything else,
 * and nothing may be written: the configs are loaded from files the way the CLI loads them, and a
 * few refused ones are run through the real `ser-workbench run`, which must exit 1 and leave no
 * run folder.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { loadConfigFile } from '../src/engine/config/file';
import { formatPath } from '../src/engine/config/issues';
import {
  ConfigError,
  checkConfig,
  defaultConfig,
  type ExperimentConfigInput,
} from '../src/engine/config/schema';
import { Rng } from '../src/engine/util/rng';
import { repoRoot } from '../src/engine/util/paths';
import { validateConfig } from '../src/app/domains/experiment';
import type { FuzzModule } from './types';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Key = string | number;

/** Valid starting points: the defaults and configs that reach every branch of the schema. */
const BASES: ExperimentConfigInput[] = [
  {},
  { model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen', weights: 'random' }, lstmUnits: [64] } },
  { model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 11 } }, training: { earlyStopping: { patience: 5 } } },
  { model: { kind: 'baseline', features: ['mfcc', 'gtcc+dl'], classifiers: ['rf', 'svm'] } },
  { model: { kind: 'baseline', features: 'mfcc+dl', classifier: 'mlp' }, data: { classes: 'all' } },
  {
    crossValidation: { scheme: 'kfold', k: 5, valFraction: 0.25 },
    data: { classes: ['angry', 'sad', 'calm'] },
  },
];

/** Values of every JSON type, including near misses of the schema's own words. */
const ODD_VALUES: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e-9,
  2 ** 53,
  '',
  'full',
  'frozen',
  'kfold',
  'loso',
  'angry',
  'joy',
  'yamnet',
  'baseline',
  'wasm',
  'all',
  'ALL',
  ' pretrained',
  '1',
  '🙂',
  [],
  [1, 2],
  ['angry'],
  ['angry', 'joy'],
  {},
  { kind: 'baseline' },
];

const EXTRA_KEYS = [
  'epoch',
  'lr',
  'classes',
  'comment',
  'Epochs',
  'k',
  '__proto__',
  'constructor',
  'kind',
  '',
];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng.next() * xs.length)];
}

/** Every path in a JSON tree (objects and arrays), root excluded. */
function paths(v: Json, at: Key[] = [], out: Key[][] = []): Key[][] {
  const children: [Key, Json][] = Array.isArray(v)
    ? v.map((x, i) => [i, x])
    : v && typeof v === 'object'
      ? Object.entries(v)
      : [];
  for (const [k, x] of children) {
    out.push([...at, k]);
    paths(x, [...at, k], out);
  }
  return out;
}

function has(root: Json, at: Key[]): boolean {
  let v: Json | undefined = root;
  for (const k of at) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, k)) return false;
    v = (v as Record<Key, Json>)[k];
  }
  return true;
}

function containerAt(root: Json, at: Key[]): Record<string, Json> | Json[] {
  let v = root;
  for (const k of at) v = (v as Record<Key, Json>)[k];
  return v as Record<string, Json> | Json[];
}

/** A misspelling a person would make: a dropped, doubled or swapped letter, a case change, a plural. */
function misspell(rng: Rng, word: string): string {
  if (word.length < 2) return `${word}s`;
  const i = Math.floor(rng.next() * (word.length - 1));
  switch (Math.floor(rng.next() * 5)) {
    case 0:
      return word.slice(0, i) + word.slice(i + 1);
    case 1:
      return word.slice(0, i) + word[i] + word.slice(i);
    case 2:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 3:
      return word.toLowerCase() === word ? word.toUpperCase() : word.toLowerCase();
    default:
      return word.endsWith('s') ? word.slice(0, -1) : `${word}s`;
  }
}

interface Mutation {
  what: string;
  /** The path the mutation touched (for a rename, the new key). */
  at: Key[];
  config: Json;
}

function mutate(rng: Rng, base: Json): Mutation {
  const config = structuredClone(base);
  const all = paths(config);
  const at = pick(rng, all);
  const parent = containerAt(config, at.slice(0, -1));
  const key = at[at.length - 1];
  const here = formatPath(at);
  switch (Math.floor(rng.next() * 6)) {
    case 0: {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      return { what: `delete ${here}`, at, config };
    }
    case 1: {
      if (Array.isArray(parent) || typeof key !== 'string') break;
      const renamed = misspell(rng, key);
      const value = parent[key];
      delete parent[key];
      parent[renamed] = value;
      return { what: `rename ${here} → ${renamed}`, at: [...at.slice(0, -1), renamed], config };
    }
    case 2: {
      const value = pick(rng, ODD_VALUES);
      (parent as Record<Key, Json>)[key] = structuredClone(value);
      return { what: `set ${here} = ${JSON.stringify(value)}`, at, config };
    }
    case 3: {
      const old = (parent as Record<Key, Json>)[key];
      if (typeof old !== 'string') break;
      const value = misspell(rng, old);
      (parent as Record<Key, Json>)[key] = value;
      return { what: `misspell value ${here} = ${JSON.stringify(value)}`, at, config };
    }
    case 4: {
      const old = (parent as Record<Key, Json>)[key];
      if (typeof old !== 'number') break;
      const value = pick(rng, [-old, 0, old * 1000, old + 0.5, -1, 15, 1e-12, Number.MAX_SAFE_INTEGER + 2]);
      (parent as Record<Key, Json>)[key] = value;
      return { what: `number ${here} = ${value}`, at, config };
    }
    default:
      break;
  }
  // Extra key in an object somewhere (the mutation the others fall back to).
  const objects = [[], ...all].filter((p) => {
    const v = p.length ? containerAt(config, p) : config;
    return v && typeof v === 'object' && !Array.isArray(v);
  });
  const where = pick(rng, objects);
  const extra = pick(rng, EXTRA_KEYS);
  const target = (where.length ? containerAt(config, where) : config) as Record<string, Json>;
  if (Object.prototype.hasOwnProperty.call(target, extra)) return mutate(rng, base);
  Object.defineProperty(target, extra, { value: pick(rng, ODD_VALUES), enumerable: true, writable: true });
  return { what: `extra key ${formatPath([...where, extra])}`, at: [...where, extra], config };
}

/** A problem is about the mutation when it lies on the mutated path or beside it. */
function related(problem: Key[], at: Key[]): boolean {
  const prefix = (a: Key[], b: Key[]) => a.length <= b.length && a.every((k, i) => k === b[i]);
  return prefix(problem, at) || prefix(at.slice(0, -1), problem);
}

function listing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

export const fuzz: FuzzModule = async ({ long, seed, workDir, log }) => {
  const rng = new Rng(seed);
  const cases = long ? 400 : 60;
  const cliCases = long ? 8 : 2;
  const failures: string[] = [];
  const configsDir = path.join(workDir, 'configs');
  fs.mkdirSync(configsDir);
  const home = path.join(workDir, 'home');
  let tried = 0;
  let accepted = 0;
  const refusedFiles: { file: string; what: string }[] = [];

  for (let i = 0; i < cases; i++) {
    const base = JSON.parse(JSON.stringify(defaultConfig(pick(rng, BASES)))) as Json;
    const m = mutate(rng, base);
    const tag = `#${i} ${m.what}`;
    tried++;
    const file = path.join(configsDir, `case-${i}.json`);
    fs.writeFileSync(file, JSON.stringify(m.config));
    const before = listing(workDir);
    try {
      const checked = checkConfig(m.config);
      const served = validateConfig(m.config);
      let loaded: unknown;
      try {
        loaded = await loadConfigFile(file);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        loaded = err;
      }
      if (checked.ok) {
        accepted++;
        const again = checkConfig(JSON.parse(JSON.stringify(checked.config)));
        if (!again.ok || !isDeepStrictEqual(again.config, checked.config))
          failures.push(`${tag}: accepted but does not round-trip through JSON`);
        // Accepted means taken as written: no key of the input silently dropped.
        const output = checked.config as unknown as Json;
        const ignored = paths(m.config).filter((p) => !has(output, p));
        if (ignored.length)
          failures.push(`${tag}: accepted, but ignores ${ignored.map((p) => formatPath(p)).join(', ')}`);
        if (!served.ok) failures.push(`${tag}: accepted by the engine, refused by config.validate`);
        if (loaded instanceof ConfigError) failures.push(`${tag}: accepted, but its file is refused`);
      } else {
        const lines = checked.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
        if (checked.problems.length === 0) failures.push(`${tag}: refused with no problem listed`);
        else if (!checked.problems.some((p) => related(p.path, m.at)))
          failures.push(`${tag}: refused, but no problem names ${formatPath(m.at)}: ${lines.join(' | ')}`);
        if (checked.problems.some((p) => !p.message.trim()))
          failures.push(`${tag}: a problem without a message`);
        if (!isDeepStrictEqual(served.issues, checked.problems))
          failures.push(`${tag}: config.validate reports other problems than the engine`);
        if (!(loaded instanceof ConfigError) || !loaded.message.includes(lines[0]))
          failures.push(`${tag}: loading its file does not give the same ConfigError`);
        if (refusedFiles.length < cliCases && rng.next() < 0.3) refusedFiles.push({ file, what: tag });
      }
    } catch (err) {
      failures.push(`${tag}: threw ${(err as Error).name}: ${(err as Error).message}`);
    }
    const after = listing(workDir);
    if (!isDeepStrictEqual(before, after))
      failures.push(`${tag}: validating wrote ${after.filter((f) => !before.includes(f)).join(', ')}`);
  }

  // A few refused configs through the real CLI: exit 1, the problem on stderr, no run folder.
  const exec = promisify(execFile);
  const out = path.join(workDir, 'runs');
  for (const { file, what } of refusedFiles) {
    tried++;
    const r = await exec(
      process.execPath,
      [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), 'run', file, '--data', workDir, '--out', out],
      {
        env: { ...process.env, SER_WORKBENCH_HOME: home },
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    if (r.code !== 1 || !r.stderr.includes('is not a valid experiment config'))
      failures.push(`${what} via ser-workbench run: exit ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
    if (fs.existsSync(out) || fs.existsSync(path.join(home, 'runs')))
      failures.push(`${what} via ser-workbench run: a run folder was written`);
  }
  log(
    `config mutations: ${cases} mutated configs (${accepted} valid), ${refusedFiles.length} refused ones through the CLI`,
  );
  return { name: 'config-mutations', tried, failures };
};
