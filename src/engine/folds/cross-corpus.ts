/**
 * Cross-corpus folds: train on some corpora, test on another. With a list of corpora, fold i
 * tests corpus i and trains on all the others (the train-on-all-but-one matrix; two corpora give
 * A → B and B → A). Only the classes every corpus has are used, and what each corpus loses is
 * recorded. Speakers are named `<corpus>:<speaker>` so that speakers of different corpora never
 * merge, and the validation speakers (a seeded `valFraction` of each fold's training speakers)
 * are disjoint from its training speakers. A run uses it through crossValidation.scheme
 * 'cross-corpus' (runs/prepare-cross-corpus.ts).
 */
import { UserError } from '../util/errors';
import { deriveSeed, mulberry32, shuffled } from '../util/random';

export interface CorpusUtterances {
  name: string;
  utterances: readonly { speaker: string; label: string }[];
}

export interface CrossCorpusFold {
  index: number;
  /** Corpora trained on (their speakers split into train and validation). */
  trainCorpora: string[];
  testCorpus: string;
  train: string[];
  validation: string[];
  test: string[];
}

export interface CrossCorpusPlan {
  /** Classes every corpus has, in the order of the first corpus. */
  classes: string[];
  /** Per corpus: utterances kept, and per class left out the number of its utterances dropped. */
  mapping: { corpus: string; kept: number; dropped: Record<string, number> }[];
  folds: CrossCorpusFold[];
}

/** `<corpus>:<speaker>`: a speaker id unique across corpora. */
export const corpusSpeaker = (corpus: string, speaker: string) => `${corpus}:${speaker}`;

export function crossCorpusFolds(
  corpora: readonly CorpusUtterances[],
  opts: { valFraction?: number; seed: number },
): CrossCorpusPlan {
  if (corpora.length < 2) throw new UserError('cross-corpus needs at least two corpora');
  const names = corpora.map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UserError(`cross-corpus: corpus '${dup}' is listed twice`);
  const classSets = corpora.map((c) => new Set(c.utterances.map((u) => u.label)));
  const classes = [...classSets[0]].filter((c) => classSets.every((s) => s.has(c)));
  if (classes.length < 2) {
    throw new UserError(
      `cross-corpus: the corpora share ${classes.length === 0 ? 'no class' : `only '${classes[0]}'`} (${corpora
        .map((c, i) => `${c.name}: ${[...classSets[i]].join(', ')}`)
        .join('; ')})`,
    );
  }
  const shared = new Set(classes);
  const mapping = corpora.map((c) => {
    const dropped: Record<string, number> = {};
    let kept = 0;
    for (const u of c.utterances) {
      if (shared.has(u.label)) kept++;
      else dropped[u.label] = (dropped[u.label] ?? 0) + 1;
    }
    return { corpus: c.name, kept, dropped };
  });
  const speakersOf = (c: CorpusUtterances) =>
    [
      ...new Set(
        c.utterances.filter((u) => shared.has(u.label)).map((u) => corpusSpeaker(c.name, u.speaker)),
      ),
    ].sort();
  const valFraction = opts.valFraction ?? 0.2;
  const folds = corpora.map((test, index): CrossCorpusFold => {
    const trainCorpora = corpora.filter((c) => c !== test);
    const pool = trainCorpora.flatMap(speakersOf);
    // At least one validation speaker per fold when there are two or more training speakers.
    const nVal = pool.length > 1 ? Math.max(1, Math.round(pool.length * valFraction)) : 0;
    const order = shuffled(pool, mulberry32(deriveSeed(opts.seed, index, 7)));
    const validation = new Set(order.slice(0, nVal));
    return {
      index,
      trainCorpora: trainCorpora.map((c) => c.name),
      testCorpus: test.name,
      train: pool.filter((s) => !validation.has(s)),
      validation: pool.filter((s) => validation.has(s)),
      test: speakersOf(test),
    };
  });
  return { classes, mapping, folds };
}
