/**
 * The cross-corpus matrix of a run: one cell per fold, its row the corpora trained on, its column
 * the corpus tested on, holding the fold's UAR and per-class accuracies on that corpus.
 */
import type { Fold } from '../folds';
import type { CrossCorpusRecord } from '../folds/export';
import { trainedOnLabel, type CrossCorpusResult } from '@shared/cross-corpus';
import type { FoldResult } from './types';

export function crossCorpusMatrix(
  record: CrossCorpusRecord,
  folds: readonly Fold[],
  results: readonly FoldResult[],
): CrossCorpusResult {
  const cells = folds.map((fold) => {
    const result = results.find((r) => r.index === fold.index);
    if (!fold.testCorpus || !fold.trainCorpora || !result) {
      throw new Error(`cross-corpus fold ${fold.index + 1}: its corpora or its metrics are missing`);
    }
    return {
      fold: fold.index,
      train: [...fold.trainCorpora],
      test: fold.testCorpus,
      utterances: result.metrics.n,
      uar: result.metrics.averageAccuracy,
      classAccuracy: { ...result.metrics.classAccuracy },
    };
  });
  // Rows and columns in the corpora's order (a row by the order of the corpora it trained on),
  // so that two corpora give the square A, B × A, B with its diagonal empty.
  const order = record.corpora.map((c) => c.name);
  const rank = (names: readonly string[]) => names.map((n) => order.indexOf(n)).sort((a, b) => a - b);
  const byRank = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  };
  const rowCells = [...cells].sort((a, b) => byRank(rank(a.train), rank(b.train)));
  const distinct = (xs: string[]) => [...new Set(xs)];
  return {
    classes: [...record.classes],
    // The record without the index hashes: the matrix says what was used, folds.json how.
    corpora: record.corpora.map(({ hash: _hash, ...c }) => c),
    rows: distinct(rowCells.map((c) => trainedOnLabel(c.train))),
    columns: order.filter((n) => cells.some((c) => c.test === n)),
    cells,
  };
}
