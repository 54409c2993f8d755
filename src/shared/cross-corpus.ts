/**
 * What a cross-corpus run records and reports (summary.json's `crossCorpus`, `report --json`, the
 * Results view): the corpora, the classes they share with what each lost, and the matrix of UAR
 * with rows trained on and columns tested on. In src/shared so that the contract and the
 * renderer read the same shape as the engine writes.
 */
import { z } from 'zod';

export const crossCorpusCorpusSchema = z.looseObject({
  /** The corpus's label in the matrix (config `name`, else its layout). */
  name: z.string(),
  /** Its layout (ravdess, emodb, folders, ...). */
  corpus: z.string(),
  dir: z.string(),
  /** Utterances and speakers kept (over the shared classes). */
  utterances: z.number().int().nonnegative(),
  speakers: z.number().int().nonnegative(),
  /** Classes of the selection the corpus has. */
  classes: z.array(z.string()),
  /** Per class the corpus has but another lacks: the utterances left out. */
  dropped: z.record(z.string(), z.number().int().nonnegative()),
});

export const crossCorpusCellSchema = z.looseObject({
  fold: z.number().int().nonnegative(),
  /** The corpora trained on; the row label is them joined by '+'. */
  train: z.array(z.string()),
  test: z.string(),
  /** Test utterances. */
  utterances: z.number().int().nonnegative(),
  /** Unweighted average recall on the test corpus. */
  uar: z.number().nullable(),
  classAccuracy: z.record(z.string(), z.number().nullable()),
});

export const crossCorpusResultSchema = z.looseObject({
  /** The classes every corpus has, in the run's class order. */
  classes: z.array(z.string()),
  corpora: z.array(crossCorpusCorpusSchema),
  /** Row labels (trained on) and column labels (tested on), in fold order. */
  rows: z.array(z.string()),
  columns: z.array(z.string()),
  cells: z.array(crossCorpusCellSchema),
});

export type CrossCorpusCorpus = z.infer<typeof crossCorpusCorpusSchema>;
export type CrossCorpusCell = z.infer<typeof crossCorpusCellSchema>;
export type CrossCorpusResult = z.infer<typeof crossCorpusResultSchema>;

/** A matrix row's label: the corpora trained on. */
export const trainedOnLabel = (train: readonly string[]) => train.join('+');

/** The cell trained on `row` and tested on `column`, if the run has one. */
export function crossCorpusCell(
  result: Pick<CrossCorpusResult, 'cells'>,
  row: string,
  column: string,
): CrossCorpusCell | undefined {
  return result.cells.find((c) => trainedOnLabel(c.train) === row && c.test === column);
}

/**
 * The further corpus folders a config's cross-validation reads (testCorpus, corpora), each with
 * its field: a served workbench checks them against its permitted folders as it checks data.dir.
 */
export function crossCorpusDirs(cv: {
  testCorpus?: { dir: string };
  corpora?: { dir: string }[];
}): { field: string; dir: string }[] {
  if (cv.testCorpus) return [{ field: 'crossValidation.testCorpus.dir', dir: cv.testCorpus.dir }];
  return (cv.corpora ?? []).map((c, i) => ({ field: `crossValidation.corpora[${i}].dir`, dir: c.dir }));
}

/**
 * A cross-corpus run's corpus as a run list names it before its summary exists, from the config:
 * `ravdess→emodb` (testCorpus) or `ravdess+emodb` (the train-on-all-but-one list). Corpora are
 * named by their `name`, else their folder's name.
 */
export function crossCorpusLabel(
  dataDirName: string,
  cv: { testCorpus?: { dir: string; name?: string }; corpora?: { dir: string; name?: string }[] },
): string {
  const nameOf = (c: { dir: string; name?: string }) =>
    c.name ?? c.dir.split(/[\\/]/).filter(Boolean).pop() ?? c.dir;
  if (cv.testCorpus) return `${dataDirName}\u2192${nameOf(cv.testCorpus)}`;
  return [dataDirName, ...(cv.corpora ?? []).map(nameOf)].join('+');
}
