import { UserError } from '../util/errors';
import { compareSpeakers } from '../corpora/summary';
import type { Sex, Utterance } from '../corpora/types';
import { deriveSeed, mulberry32, shuffled, type Random } from '../util/random';

/** `cross-corpus` folds are made by crossCorpusFolds (folds/cross-corpus.ts), not makeFolds. */
export type FoldScheme = 'loso' | 'kfold' | 'cross-corpus';
export type Partition = 'train' | 'validation' | 'test';
export const PARTITIONS: Partition[] = ['train', 'validation', 'test'];

export interface FoldOptions {
  /** Leave-one-speaker-out, or k speaker-disjoint groups. */
  scheme: FoldScheme;
  /** Number of folds for `kfold` (2 … number of speakers). */
  k?: number;
  /** Fraction of the non-test speakers held out for validation, by speaker (default 0.2). */
  valFraction?: number;
  seed: number;
}

/** One cross-validation fold: speaker IDs per partition (natural order) and what they hold. */
export interface Fold {
  /** 0-based position in the fold list. */
  index: number;
  test: string[];
  validation: string[];
  train: string[];
  /** Utterances per partition. */
  counts: Record<Partition, number>;
  /** Utterances per partition and class. */
  perClass: Record<Partition, Record<string, number>>;
  /** Cross-corpus folds: the corpora trained on and the corpus tested on. */
  trainCorpora?: string[];
  testCorpus?: string;
}

/** What folding needs of an utterance. */
export type FoldUtterance = Pick<Utterance, 'speaker' | 'label' | 'sex'>;

interface SpeakerStats {
  speaker: string;
  sex: Sex;
  files: number;
  perClass: Map<string, number>;
}

function speakerStats(utterances: readonly FoldUtterance[]): Map<string, SpeakerStats> {
  const out = new Map<string, SpeakerStats>();
  for (const u of utterances) {
    let s = out.get(u.speaker);
    if (!s) {
      s = { speaker: u.speaker, sex: u.sex, files: 0, perClass: new Map() };
      out.set(u.speaker, s);
    }
    s.files += 1;
    s.perClass.set(u.label, (s.perClass.get(u.label) ?? 0) + 1);
  }
  return out;
}

function bySex(speakers: SpeakerStats[]): SpeakerStats[][] {
  const groups = new Map<Sex, SpeakerStats[]>();
  for (const s of speakers) groups.set(s.sex, [...(groups.get(s.sex) ?? []), s]);
  return (['male', 'female', 'unknown'] as Sex[])
    .map((sex) => groups.get(sex) ?? [])
    .filter((g) => g.length > 0);
}

/**
 * k speaker groups of near-equal size with the sexes spread evenly: each sex's speakers are
 * shuffled and dealt round-robin, the deal continuing across sexes.
 */
function kfoldGroups(speakers: SpeakerStats[], k: number, random: Random): string[][] {
  const groups: string[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const group of bySex(speakers)) {
    for (const s of shuffled(group, random)) groups[next++ % k].push(s.speaker);
  }
  return groups;
}

/** Largest-remainder apportionment of `total` over `sizes`, never more than a size. */
function apportion(total: number, sizes: number[]): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((n) => (total * n) / sum);
  const out = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - Math.floor(e), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  let left = total - out.reduce((a, b) => a + b, 0);
  for (const [, i] of order) {
    if (left === 0) break;
    if (out[i] < sizes[i]) {
      out[i] += 1;
      left -= 1;
    }
  }
  return out;
}

function classDistance(chosen: SpeakerStats[], all: SpeakerStats[], valFraction: number): number {
  const totals = new Map<string, number>();
  let allFiles = 0;
  for (const s of all) {
    allFiles += s.files;
    for (const [c, n] of s.perClass) totals.set(c, (totals.get(c) ?? 0) + n);
  }
  const picked = new Map<string, number>();
  let files = 0;
  for (const s of chosen) {
    files += s.files;
    for (const [c, n] of s.perClass) picked.set(c, (picked.get(c) ?? 0) + n);
  }
  let d = 0;
  for (const [c, n] of totals) d += Math.abs((picked.get(c) ?? 0) / Math.max(files, 1) - n / allFiles);
  return d + Math.abs(files / allFiles - valFraction);
}

const VALIDATION_TRIALS = 64;
/** Class-mix distance (sum of absolute proportion differences) still counted as balanced. */
const BALANCE_TOLERANCE = 0.05;

/**
 * Validation speakers out of the non-test ones: round(valFraction × n) of them (at least one
 * when two or more remain, and never all), the sexes in proportion, and of the random draws
 * the one whose class mix and size come closest to the remaining speakers'.
 */
function pickValidation(rest: SpeakerStats[], valFraction: number, random: Random): Set<string> {
  if (valFraction <= 0 || rest.length < 2) return new Set();
  const n = Math.min(rest.length - 1, Math.max(1, Math.round(valFraction * rest.length)));
  const groups = bySex(rest);
  const quotas = apportion(
    n,
    groups.map((g) => g.length),
  );
  const trials = Array.from({ length: VALIDATION_TRIALS }, () => {
    const chosen = groups.flatMap((g, i) => shuffled(g, random).slice(0, quotas[i]));
    return { chosen, score: classDistance(chosen, rest, valFraction) };
  });
  // The first random draw near the best, not the best itself: folds then differ in their
  // validation speakers instead of all holding out the same best-matching pair.
  const best = Math.min(...trials.map((t) => t.score));
  const pick = trials.find((t) => t.score <= best + BALANCE_TOLERANCE)!;
  return new Set(pick.chosen.map((s) => s.speaker));
}

/** Utterances per partition and class of a fold whose roles cover every speaker. */
export function countFold(
  utterances: readonly FoldUtterance[],
  roles: Map<string, Partition>,
): Pick<Fold, 'counts' | 'perClass'> {
  const counts: Record<Partition, number> = { train: 0, validation: 0, test: 0 };
  const perClass: Record<Partition, Record<string, number>> = { train: {}, validation: {}, test: {} };
  for (const u of utterances) {
    const role = roles.get(u.speaker)!;
    counts[role] += 1;
    perClass[role][u.label] = (perClass[role][u.label] ?? 0) + 1;
  }
  return { counts, perClass };
}

function checkOptions(opts: FoldOptions, speakers: number): number {
  if (!Number.isInteger(opts.seed)) throw new UserError(`seed must be an integer, not ${opts.seed}`);
  const valFraction = opts.valFraction ?? 0.2;
  if (!(valFraction >= 0 && valFraction < 1)) {
    throw new UserError(`the validation fraction must be in [0, 1), not ${valFraction}`);
  }
  if (speakers < 2)
    throw new UserError(`speaker-independent folds need at least 2 speakers, found ${speakers}`);
  if (opts.scheme === 'kfold') {
    const k = opts.k;
    if (k === undefined || !Number.isInteger(k) || k < 2)
      throw new UserError(`kfold needs an integer k ≥ 2, not ${k}`);
    if (k > speakers) throw new UserError(`k = ${k} folds need at least ${k} speakers, found ${speakers}`);
  } else if (opts.scheme !== 'loso') {
    // cross-corpus folds come from crossCorpusFolds, which knows the corpora.
    throw new UserError(`unknown fold scheme '${opts.scheme}' for one corpus (loso or kfold)`);
  }
  return valFraction;
}

/**
 * Speaker-independent cross-validation folds. `loso`: one fold per speaker (natural order);
 * `kfold`: k speaker groups (seeded, sexes spread). In every fold the other speakers are split
 * by speaker into train and validation. Deterministic for a given seed; the invariants (no
 * speaker in two partitions, every utterance tested exactly once) are checked before returning.
 */
export function makeFolds(utterances: readonly FoldUtterance[], opts: FoldOptions): Fold[] {
  const stats = speakerStats(utterances);
  const speakers = [...stats.values()].sort((a, b) => compareSpeakers(a.speaker, b.speaker));
  const valFraction = checkOptions(opts, speakers.length);
  const testGroups =
    opts.scheme === 'loso'
      ? speakers.map((s) => [s.speaker])
      : kfoldGroups(speakers, opts.k!, mulberry32(deriveSeed(opts.seed, 0xf01d)));

  const folds = testGroups.map((group, index): Fold => {
    const test = new Set(group);
    const rest = speakers.filter((s) => !test.has(s.speaker));
    const validation = pickValidation(rest, valFraction, mulberry32(deriveSeed(opts.seed, index)));
    const roles = new Map<string, Partition>();
    for (const s of speakers) {
      roles.set(s.speaker, test.has(s.speaker) ? 'test' : validation.has(s.speaker) ? 'validation' : 'train');
    }
    const list = (role: Partition) =>
      speakers.filter((s) => roles.get(s.speaker) === role).map((s) => s.speaker);
    return {
      index,
      test: list('test'),
      validation: list('validation'),
      train: list('train'),
      ...countFold(utterances, roles),
    };
  });
  checkFolds(folds, utterances);
  return folds;
}

/**
 * Throws (an internal error) unless: within each fold no speaker is in two partitions and every
 * speaker is in one; across folds every speaker, hence every utterance, is tested exactly once.
 */
export function checkFolds(folds: readonly Fold[], utterances: readonly FoldUtterance[]): void {
  const all = new Set(utterances.map((u) => u.speaker));
  const tested = new Map<string, number>();
  for (const fold of folds) {
    const seen = new Map<string, Partition>();
    for (const role of PARTITIONS) {
      for (const speaker of fold[role]) {
        const before = seen.get(speaker);
        if (before)
          throw new Error(`fold ${fold.index}: speaker ${speaker} is in both ${before} and ${role}`);
        if (!all.has(speaker)) throw new Error(`fold ${fold.index}: unknown speaker ${speaker}`);
        seen.set(speaker, role);
      }
    }
    if (seen.size !== all.size)
      throw new Error(`fold ${fold.index}: ${all.size - seen.size} speaker(s) in no partition`);
    if (fold.test.length === 0) throw new Error(`fold ${fold.index}: no test speaker`);
    if (fold.train.length === 0) throw new Error(`fold ${fold.index}: no training speaker`);
    for (const s of fold.test) tested.set(s, (tested.get(s) ?? 0) + 1);
  }
  for (const s of all) {
    const n = tested.get(s) ?? 0;
    if (n !== 1) throw new Error(`speaker ${s} is tested in ${n} folds, not exactly one`);
  }
}

/** The partition of every speaker in one fold. */
export function foldRoles(fold: Fold): Map<string, Partition> {
  const roles = new Map<string, Partition>();
  for (const role of PARTITIONS) for (const s of fold[role]) roles.set(s, role);
  return roles;
}
