/**
 * The uncertainty and per-speaker parts of a report: interval rows for every Table II, the
 * per-speaker table (LOSO: one row per test speaker) and, for k-fold, the fold speaker groups.
 */
import type { RunSummary } from '../eval/types';
import { interval, num, text } from './cell';
import { intervalText } from './render';
import type { Cell, ReportRow, ReportTable } from './types';

const pct = (level: number) => `${Math.round(level * 100)} %`;

/**
 * Two rows under a Table II: the bootstrap interval of pooled UAR and the t-interval of the mean
 * fold UAR. `place(cell, note)` lays the interval cell and a short description into the table's
 * columns. None when the run has no statistics (no predictions to compute them from).
 */
export function intervalRows(
  summary: RunSummary,
  labelPrefix: string,
  place: (cell: Cell, note: string) => Cell[],
): ReportRow[] {
  const st = summary.statistics;
  if (!st) return [];
  const b = st.pooledAverageAccuracy;
  const f = st.foldAverageAccuracy;
  return [
    {
      label: `${labelPrefix}pooled UAR ${pct(b.level)} CI`,
      kind: 'ci',
      cells: place(
        interval(b),
        `bootstrap over ${b.speakers} test speakers, ${b.resamples} resamples, seed ${b.seed}`,
      ),
    },
    {
      label: `${labelPrefix}mean UAR ${pct(f.level)} CI`,
      kind: 'ci',
      cells: place(interval(f), `t over ${f.n} folds`),
    },
  ];
}

/** The note every table with interval rows carries. */
export const INTERVAL_NOTE =
  'CI: 95 % confidence intervals of the average (UAR). Pooled: percentile bootstrap resampling test speakers (not utterances) with replacement. Mean: Student t over folds (mean ± t·sd/√n).';

/** One sentence on where a reference value (the paper's) falls relative to the run's intervals. */
export function referenceVersusIntervals(summary: RunSummary, value: number, what: string): string | null {
  const st = summary.statistics;
  if (!st) return null;
  const inside = (lo: number | null, hi: number | null) =>
    lo === null || hi === null
      ? 'cannot be placed (no interval)'
      : value >= lo && value <= hi
        ? 'is inside'
        : 'is outside';
  const b = st.pooledAverageAccuracy;
  const f = st.foldAverageAccuracy;
  return (
    `${what} ${value.toFixed(3)} ${inside(b.lo, b.hi)} this run's ${pct(b.level)} bootstrap interval of pooled UAR ${intervalText(b.lo, b.hi)}` +
    ` and ${inside(f.lo, f.hi)} the ${pct(f.level)} t-interval of the mean fold UAR ${intervalText(f.lo, f.hi)}.`
  );
}

/** UAR per test speaker, with sex, fold and utterance count. */
export function perSpeakerTable(summary: RunSummary, idSuffix = '', titleSuffix = ''): ReportTable | null {
  const st = summary.statistics;
  if (!st || st.perSpeaker.length === 0) return null;
  const rows: ReportRow[] = st.perSpeaker.map((s) => ({
    label: s.speaker,
    kind: 'speaker',
    cells: [
      text(s.sex),
      { kind: 'count', value: s.fold + 1 },
      { kind: 'count', value: s.n },
      num(s.averageAccuracy),
      num(s.weightedAccuracy),
    ],
  }));
  const bySex = new Map<string, number[]>();
  for (const s of st.perSpeaker) {
    if (s.averageAccuracy === null) continue;
    if (!bySex.has(s.sex)) bySex.set(s.sex, []);
    bySex.get(s.sex)!.push(s.averageAccuracy);
  }
  const notes = [
    'UAR of each test speaker\u2019s utterances (classes the speaker has); overall = correct / n.',
    ...[...bySex.entries()].map(
      ([sex, xs]) =>
        `${sex}: ${xs.length} speakers, mean UAR ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3)}.`,
    ),
  ];
  return {
    id: `per-speaker${idSuffix}`,
    title: `UAR per test speaker${titleSuffix}`,
    columns: ['speaker', 'sex', 'fold', 'n', 'UAR', 'overall'],
    rows,
    notes,
  };
}

/** k-fold: each fold's speaker group with its sexes and UAR (LOSO groups are single speakers). */
export function foldGroupsTable(summary: RunSummary): ReportTable | null {
  const st = summary.statistics;
  if (!st || summary.scheme.kind === 'loso') return null;
  return {
    id: 'fold-groups',
    title: 'UAR per fold speaker group',
    columns: ['fold', 'speakers', 'sex', 'n', 'UAR'],
    rows: st.foldGroups.map((g) => ({
      label: `fold ${g.fold + 1}`,
      kind: 'fold',
      cells: [
        text(g.speakers.join(' ')),
        text(
          Object.entries(g.sexes)
            .map(([s, n]) => `${n} ${s}`)
            .join(', '),
        ),
        { kind: 'count', value: g.n },
        num(g.averageAccuracy),
      ],
    })),
    notes: ['Each fold tests a group of speakers; UAR over the group\u2019s utterances together.'],
  };
}
