import type { CorpusIndex, Utterance } from '../corpora/types';
import type { CrossCorpusCorpus } from '@shared/cross-corpus';
import { foldRoles, type Fold, type FoldOptions } from './folds';

/** The fold assignment as one JSON document (what `folds --json` prints and a run records). */
export interface FoldsDocument {
  scheme: FoldOptions['scheme'];
  k: number;
  valFraction: number;
  seed: number;
  corpus?: string;
  root?: string;
  /** The corpus index hash the folds were made from. */
  indexHash?: string;
  speakers: number;
  utterances: number;
  folds: Fold[];
  /** A cross-corpus run: its corpora and the classes they share (speakers are `<corpus>:<speaker>`). */
  crossCorpus?: CrossCorpusRecord;
}

/** The corpora of a cross-corpus run as its folds.json records them. */
export interface CrossCorpusRecord {
  classes: string[];
  corpora: (CrossCorpusCorpus & { hash: string })[];
}

export function foldsDocument(
  folds: Fold[],
  opts: FoldOptions,
  utterances: readonly Pick<Utterance, 'speaker'>[],
  index?: Pick<CorpusIndex, 'corpus' | 'root' | 'hash'>,
): FoldsDocument {
  return {
    scheme: opts.scheme,
    k: folds.length,
    valFraction: opts.valFraction ?? 0.2,
    seed: opts.seed,
    ...(index ? { corpus: index.corpus, root: index.root, indexHash: index.hash } : {}),
    speakers: new Set(utterances.map((u) => u.speaker)).size,
    utterances: utterances.length,
    folds,
  };
}

/**
 * One line of the EmoBox-style JSONL export: one line per utterance per fold.
 * - `key`: `<fold>/<id>`, unique in the file; `id` is the path relative to the corpus root.
 * - `path`: absolute audio path; `label`, `speaker`, `sex` as in the index.
 * - `fold`: 1-based fold number (EmoBox numbers folds from 1); `split`: train, validation or test.
 * - `sampleRate`, `durationSec`: from the file header. `dataset`: the corpus layout name.
 */
export interface FoldJsonlRow {
  key: string;
  id: string;
  path: string;
  label: string;
  speaker: string;
  sex: string;
  fold: number;
  split: 'train' | 'validation' | 'test';
  sampleRate: number;
  durationSec: number;
  dataset?: string;
}

export function foldsToJsonlRows(
  folds: readonly Fold[],
  utterances: readonly Utterance[],
  dataset?: string,
): FoldJsonlRow[] {
  const rows: FoldJsonlRow[] = [];
  for (const fold of folds) {
    const roles = foldRoles(fold);
    for (const u of utterances) {
      rows.push({
        key: `${fold.index + 1}/${u.id}`,
        id: u.id,
        path: u.path,
        label: u.label,
        speaker: u.speaker,
        sex: u.sex,
        fold: fold.index + 1,
        split: roles.get(u.speaker)!,
        sampleRate: u.sampleRate,
        durationSec: u.durationSec,
        ...(dataset ? { dataset } : {}),
      });
    }
  }
  return rows;
}

export function foldsToJsonl(
  folds: readonly Fold[],
  utterances: readonly Utterance[],
  dataset?: string,
): string {
  return foldsToJsonlRows(folds, utterances, dataset)
    .map((r) => JSON.stringify(r))
    .join('\n')
    .concat('\n');
}
