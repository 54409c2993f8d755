import { PAPER_DEFAULTS } from '@shared/paper-defaults';
import type { RunSummary } from '../eval/types';
import {
  modelName,
  PAPER_CLASSES,
  paperClassAccuracy,
  PAPER_PROTOCOL,
  PAPER_SOURCE,
  paperRowFor,
  type PaperCorpus,
  type PaperRow,
} from './paper';
import { diff, num, signed, text } from './cell';
import { INTERVAL_NOTE, intervalRows, referenceVersusIntervals } from './speakers';
import type { Cell, ProtocolDifference, ReportTable, RunReport } from './types';

/** How a paper row is labelled wherever it stands beneath a run's rows. */
export function paperRowLabel(r: PaperRow): string {
  return `paper: ${r.input} ${r.classifier}`;
}

/** A paper row's cells under `classes`: its class accuracies (– where it has none) and average. */
export function paperCells(paper: PaperRow, classes: readonly string[]): Cell[] {
  return [...classes.map((c) => num(paperClassAccuracy(paper, c))), num(paper.average)];
}

/** A run's class accuracies and average minus the paper row's, under `classes`. */
export function paperDeltaCells(
  paper: PaperRow,
  classes: readonly string[],
  ours: (c: string) => number | null | undefined,
  oursAverage: number | null,
): Cell[] {
  return [
    ...classes.map((c) => signed(diff(ours(c), paperClassAccuracy(paper, c)))),
    signed(diff(oursAverage, paper.average)),
  ];
}

/**
 * Our run next to the paper's Table II row for the same model and corpus: pooled, mean ± sd, the
 * paper's numbers and the differences (pooled − paper). Only the paper's classes are compared; a
 * class the run did not include shows as –.
 */
export function paperComparisonTable(summary: RunSummary, paper: PaperRow): ReportTable {
  const cls = PAPER_CLASSES;
  const ours = (c: string) => (summary.classes.includes(c) ? summary.pooled.classAccuracy[c] : null);
  const oursMean = (c: string) => summary.meanSd.classAccuracy[c];
  const model = modelName(summary);
  return {
    id: 'paper-comparison',
    title: `This run vs the paper (${paper.corpus === 'ravdess' ? 'RAVDESS' : 'DEMoS'}, ${paper.input} ${paper.classifier})`,
    columns: ['', ...cls, 'average'],
    rows: [
      {
        label: `this run (${model}): pooled`,
        kind: 'pooled',
        cells: [...cls.map((c) => num(ours(c))), num(summary.pooled.averageAccuracy)],
      },
      {
        label: `this run (${model}): mean ± sd`,
        kind: 'mean',
        cells: [
          ...cls.map((c) => (oursMean(c) ? num(oursMean(c).mean, oursMean(c).sd) : num(null))),
          num(summary.meanSd.averageAccuracy.mean, summary.meanSd.averageAccuracy.sd),
        ],
      },
      ...intervalRows(summary, 'this run: ', (cell) => [...cls.map(() => text('')), cell]),
      {
        label: paperRowLabel(paper),
        kind: 'paper',
        cells: paperCells(paper, cls),
      },
      {
        label: 'difference (pooled − paper)',
        kind: 'delta',
        cells: paperDeltaCells(paper, cls, ours, summary.pooled.averageAccuracy),
      },
    ],
    notes: [
      'The paper does not say whether Table II pools the folds\u2019 predictions or averages folds; both are shown.',
      ...nonNull([referenceVersusIntervals(summary, paper.average, 'The paper\u2019s average')]),
      ...(summary.statistics ? [INTERVAL_NOTE] : []),
      `Source: ${PAPER_SOURCE}.`,
    ],
  };
}

const nonNull = <T>(xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);

const list = (xs: readonly string[]) => xs.join(', ');
const pct = (x: number) => `${Math.round(x * 100)} %`;

function schemeText(s: { kind: string; k?: number; folds: number; valFraction?: number }): string {
  const base =
    s.kind === 'loso' ? `leave-one-subject-out, ${s.folds} folds` : `${s.k ?? s.folds}-fold by speaker`;
  return s.valFraction !== undefined
    ? `${base}; validation ${pct(s.valFraction)} of training speakers`
    : base;
}

function weightsText(summary: RunSummary): string {
  const w = summary.weights;
  const files = w.files.map((f) => `${f.name} sha256:${f.sha256.slice(0, 12)}`).join('; ');
  return files ? `${w.source} (${files})` : w.source;
}

/** Every protocol aspect the paper fixes, as the paper had it and as this run had it. */
export function protocolDifferences(summary: RunSummary, corpus: PaperCorpus): ProtocolDifference[] {
  const p = PAPER_PROTOCOL[corpus];
  const d: ProtocolDifference[] = [];
  const add = (aspect: string, paper: string, run: string, same: boolean) =>
    d.push({ aspect, paper, run, same });
  add('corpus', corpus, summary.corpus.name, summary.corpus.name.toLowerCase() === corpus);
  add(
    'classes',
    list(p.classes),
    list(summary.classes),
    [...summary.classes].sort().join() === [...p.classes].sort().join(),
  );
  add(
    'speakers',
    String(p.speakers),
    String(summary.corpus.speakers),
    summary.corpus.speakers === p.speakers,
  );
  const counts = summary.corpus.classCounts;
  const paperCounts = p.classes.map((c) => `${c} ${p.classCounts[c]}`).join(', ');
  const runCounts = counts
    ? summary.classes.map((c) => `${c} ${counts[c] ?? 0}`).join(', ')
    : `${summary.corpus.utterances} utterances (per class not recorded)`;
  const paperTotal = p.classes.reduce((a, c) => a + p.classCounts[c], 0);
  add(
    'utterances per class',
    `${paperCounts} (${paperTotal})`,
    `${runCounts} (${summary.corpus.utterances})`,
    !!counts &&
      p.classes.every((c) => counts[c] === p.classCounts[c]) &&
      summary.classes.length === p.classes.length,
  );
  add(
    'cross-validation',
    schemeText(p.scheme),
    schemeText(summary.scheme),
    summary.scheme.kind === p.scheme.kind &&
      summary.scheme.folds === p.scheme.folds &&
      (summary.scheme.valFraction === undefined ||
        Math.abs(summary.scheme.valFraction - p.scheme.valFraction) < 1e-9),
  );
  const isYamnet = /yamnet/i.test(modelName(summary));
  if (isYamnet) {
    add(
      'training mode',
      'fine-tune (whole network trained)',
      modeText(summary.mode),
      summary.mode === 'fine-tune',
    );
    add(
      'initial weights',
      `${p.weights}`,
      `${summary.initialWeights}: ${weightsText(summary)}`,
      summary.initialWeights === 'pretrained' && summary.weights.source.startsWith('official'),
    );
    const fe = summary.frontEnd;
    if (fe) {
      const paperFe = PAPER_DEFAULTS.frontEnd;
      add(
        'front end',
        `log-mel, ${paperFe.patchSec} s patches every ${paperFe.patchHopSec} s`,
        `log-mel (${fe.form}), ${paperFe.patchSec} s patches every ${fe.patchHopSec} s`,
        // The paper states the patching, not which log-mel form its pretrained network was fed.
        Math.abs(fe.patchHopSec - paperFe.patchHopSec) < 1e-9,
      );
    }
    const t = summary.training;
    if (t) {
      const pt = p.training;
      const runT = `${t.optimizer ?? '?'}, lr ${t.learningRate ?? '?'}, batch ${t.batchSize ?? '?'}, ${t.epochs ?? '?'} epochs`;
      add(
        'training',
        `${pt.optimizer}, lr ${pt.learningRate}, batch ${pt.batchSize}, ${pt.epochs} epochs`,
        runT,
        t.epochs === pt.epochs &&
          t.batchSize === pt.batchSize &&
          t.learningRate === pt.learningRate &&
          (t.optimizer ?? '').toLowerCase() === pt.optimizer,
      );
    }
  } else {
    const row = paperRowFor(modelName(summary), corpus);
    const m = modelName(summary).toLowerCase();
    const runFeatures = `${/gtcc/.test(m) ? 'GTCC' : 'MFCC'}${/dl/.test(m) ? '+DL' : ' only'}`;
    if (row)
      add(
        'features',
        `${row.input} (cepstral + pretrained-network embeddings)`,
        runFeatures,
        runFeatures === row.input,
      );
  }
  return d;
}

/** The runner's mode word ('fine-tune', 'frozen', 'trainFromN') in words. */
function modeText(mode: string): string {
  if (mode === 'fine-tune') return 'fine-tune (whole network trained)';
  if (mode === 'frozen') return 'frozen backbone (LSTM head only)';
  const partial = /^trainFrom(\d+)$/.exec(mode);
  if (partial) return `partial fine-tune (YAMNet trained from layer ${partial[1]} on)`;
  return mode;
}

/** The --paper part of a report, or notes saying why nothing could be compared. */
export function paperSection(summary: RunSummary): {
  table?: ReportTable;
  paper: NonNullable<RunReport['paper']>;
} {
  const row = paperRowFor(modelName(summary), summary.corpus.name);
  if (!row) {
    return {
      paper: {
        source: PAPER_SOURCE,
        differences: [],
        notes: [
          `The paper reports RAVDESS and DEMoS with YAMNet-LSTM and MFCC/GTCC baselines only; this run (${modelName(summary)} on ${summary.corpus.name}) has no row to compare with.`,
        ],
      },
    };
  }
  const paper = paperProtocol(protocolDifferences(summary, row.corpus));
  const verdict = referenceVersusIntervals(summary, row.average, 'The paper\u2019s average');
  if (verdict) paper.notes.push(verdict);
  return { table: paperComparisonTable(summary, row), paper };
}

/** The paper section of a report: the protocol compared aspect by aspect, and the verdict. */
export function paperProtocol(differences: ProtocolDifference[]): NonNullable<RunReport['paper']> {
  const differing = differences.filter((x) => !x.same).map((x) => x.aspect);
  return {
    source: PAPER_SOURCE,
    differences,
    notes: [
      differing.length === 0
        ? 'The run follows the paper\u2019s protocol in every recorded aspect.'
        : `Protocol differs from the paper in: ${differing.join(', ')}. The numbers are not a like-for-like reproduction.`,
    ],
  };
}
