import type { RunSummary } from '../eval/types';
import { provenance } from './build';
import { num, text } from './cell';
import { paperCells, paperDeltaCells, paperRowLabel, protocolDifferences } from './comparison';
import { modelName, PAPER_CLASSES, PAPER_SOURCE, paperRowFor } from './paper';
import { INTERVAL_NOTE, intervalRows } from './speakers';
import type { ReportRow, ReportTable, RunReport } from './types';

export interface LabelledRun {
  /** Short name of the run in the table, e.g. its folder name. */
  label: string;
  summary: RunSummary;
}

/** The class columns: the paper's four when every run uses only those, else all classes in first-seen order. */
function classColumns(runs: LabelledRun[]): string[] {
  const all: string[] = [];
  for (const r of runs) for (const c of r.summary.classes) if (!all.includes(c)) all.push(c);
  const paper = PAPER_CLASSES as string[];
  return all.every((c) => paper.includes(c)) ? paper : all;
}

/**
 * Several runs in the shape of the paper's Table II: per run its pooled and mean ± sd class
 * accuracies and average; with `paper`, the paper's row for the same model and corpus beneath it
 * and the difference, plus each run's protocol differences.
 */
export function buildCombinedReport(runs: LabelledRun[], opts: { paper?: boolean } = {}): RunReport {
  if (runs.length === 0) throw new Error('buildCombinedReport: no runs');
  const classes = classColumns(runs);
  const rows: ReportRow[] = [];
  const tables: ReportTable[] = [];
  const notes = ['Average = unweighted mean of class accuracies (UAR); – = class not in the run.'];
  const prov: RunReport['provenance'] = [];
  for (const { label, summary: s } of runs) {
    const name = `${label}: ${modelName(s)}, ${s.mode}`;
    const acc = (c: string) => (s.classes.includes(c) ? s.pooled.classAccuracy[c] : null);
    rows.push({
      label: `${name} (pooled)`,
      kind: 'pooled',
      cells: [text(s.corpus.name), ...classes.map((c) => num(acc(c))), num(s.pooled.averageAccuracy)],
    });
    rows.push({
      label: `${name} (mean ± sd)`,
      kind: 'mean',
      cells: [
        text(`${s.folds.length} folds`),
        ...classes.map((c) =>
          s.meanSd.classAccuracy[c]
            ? num(s.meanSd.classAccuracy[c].mean, s.meanSd.classAccuracy[c].sd)
            : num(null),
        ),
        num(s.meanSd.averageAccuracy.mean, s.meanSd.averageAccuracy.sd),
      ],
    });
    rows.push(
      ...intervalRows(s, `${label}: `, (cell, note) => [text(note), ...classes.map(() => text('')), cell]),
    );
    for (const p of provenance(s)) prov.push({ label: `${label} ${p.label}`, value: p.value });
    if (!opts.paper) continue;
    const paper = paperRowFor(modelName(s), s.corpus.name);
    if (!paper) {
      notes.push(`${label}: the paper has no ${modelName(s)} row for ${s.corpus.name}.`);
      continue;
    }
    rows.push({
      label: paperRowLabel(paper),
      kind: 'paper',
      cells: [text(paper.corpus), ...paperCells(paper, classes)],
    });
    rows.push({
      label: `${label}: pooled − paper`,
      kind: 'delta',
      cells: [text(''), ...paperDeltaCells(paper, classes, acc, s.pooled.averageAccuracy)],
    });
    const differences = protocolDifferences(s, paper.corpus);
    tables.push({
      id: `protocol-${label}`,
      title: `Protocol of ${label} vs the paper`,
      columns: ['aspect', 'paper', 'this run', 'same'],
      rows: differences.map((d) => ({
        label: d.aspect,
        kind: 'fold',
        cells: [text(d.paper), text(d.run), text(d.same ? 'yes' : 'no')],
      })),
      notes: [
        differences.every((d) => d.same)
          ? 'Follows the paper\u2019s protocol in every recorded aspect.'
          : `Differs from the paper in: ${differences
              .filter((d) => !d.same)
              .map((d) => d.aspect)
              .join(', ')}.`,
      ],
    });
  }
  if (runs.some((r) => r.summary.statistics)) notes.push(INTERVAL_NOTE);
  if (opts.paper) notes.push(`Source of the paper rows: ${PAPER_SOURCE}.`);
  return {
    title: opts.paper ? 'Results vs the paper (Table II shape)' : 'Results (Table II shape)',
    provenance: prov,
    tables: [
      {
        id: 'table-ii-runs',
        title: 'Class accuracy per run (Table II shape)',
        columns: ['run', 'corpus', ...classes, 'average'],
        rows,
        notes,
      },
      ...tables,
    ],
  };
}
