import type { ConfusionMatrix, Metrics } from '../eval/metrics';
import type { MeanSd, RunSummary } from '../eval/types';
import { num, text } from './cell';
import { INTERVAL_NOTE, intervalRows } from './speakers';
import type { Cell, ReportRow, ReportTable } from './types';

const fromMeanSd = (m: MeanSd): Cell => num(m.mean, m.sd);

function metricCells(classes: string[], m: Metrics): Cell[] {
  return [
    ...classes.map((c) => num(m.classAccuracy[c])),
    num(m.averageAccuracy),
    num(m.weightedAccuracy),
    num(m.macroF1),
    { kind: 'count', value: m.n },
  ];
}

/**
 * The paper's Table II shape for one run: class accuracies and their average (UAR) per fold, for
 * the predictions of all folds pooled, and as mean ± sd over folds; plus overall accuracy, macro-F1
 * and the number of test utterances.
 */
export function tableII(summary: RunSummary): ReportTable {
  const classes = summary.classes;
  const rows: ReportRow[] = summary.folds.map((f) => ({
    label: `fold ${f.index + 1}`,
    kind: 'fold',
    cells: [...metricCells(classes, f.metrics), text(f.testSpeakers.join(' '))],
  }));
  rows.push({
    label: 'pooled',
    kind: 'pooled',
    cells: [...metricCells(classes, summary.pooled), text('all')],
  });
  const ms = summary.meanSd;
  rows.push({
    label: 'mean ± sd',
    kind: 'mean',
    cells: [
      ...classes.map((c) => fromMeanSd(ms.classAccuracy[c] ?? { mean: null, sd: null, n: 0 })),
      fromMeanSd(ms.averageAccuracy),
      fromMeanSd(ms.weightedAccuracy),
      fromMeanSd(ms.macroF1),
      text(''),
      text(`${summary.folds.length} folds`),
    ],
  });
  // Interval cells sit in the 'average' column; the description in 'test speakers'.
  rows.push(
    ...intervalRows(summary, '', (cell, note) => [
      ...classes.map(() => text('')),
      cell,
      text(''),
      text(''),
      text(''),
      text(note),
    ]),
  );
  const missing = summary.folds.filter((f) => classes.some((c) => f.metrics.classAccuracy[c] === null));
  const notes = [
    'Class accuracy = recall of the class; average = unweighted mean of class accuracies (UAR); overall = correct / n (weighted accuracy).',
    'Pooled: all folds\u2019 test predictions together (sum of the fold confusion matrices). Mean ± sd: over folds, sample sd.',
  ];
  if (summary.statistics) notes.push(INTERVAL_NOTE);
  if (missing.length > 0) {
    notes.push(
      `${missing.length} fold(s) lack test utterances of some class (shown as –): that class is left out of the fold's average and of its mean ± sd.`,
    );
  }
  return {
    id: 'table-ii',
    title: 'Class accuracy per fold (Table II shape)',
    columns: ['fold', ...classes, 'average', 'overall', 'macro-F1', 'n', 'test speakers'],
    rows,
    notes,
  };
}

/** A confusion matrix as a table: rows actual, columns predicted, with row totals and recall. */
export function confusionTable(confusion: ConfusionMatrix, id: string, title: string): ReportTable {
  const rows: ReportRow[] = confusion.labels.map((label, r) => {
    const total = confusion.matrix[r].reduce((a, b) => a + b, 0);
    return {
      label,
      kind: 'actual',
      cells: [
        ...confusion.matrix[r].map((v): Cell => ({ kind: 'count', value: v })),
        { kind: 'count', value: total },
        num(total > 0 ? confusion.matrix[r][r] / total : null),
      ],
    };
  });
  return {
    id,
    title,
    columns: ['actual \\ predicted', ...confusion.labels, 'total', 'recall'],
    rows,
    notes: ['Rows: actual class; columns: predicted class.'],
  };
}
