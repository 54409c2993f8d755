/**
 * The report of a baseline grid run (several feature sets × classifiers over the same folds): one
 * Table II–style table with a row block per cell, each cell's paper row beneath it with --paper,
 * and the protocol compared once, since the cells share it (only the features differ).
 */
import type { RunSummary } from '../eval/types';
import { environmentLines, provenance } from './build';
import { num, text } from './cell';
import { paperCells, paperDeltaCells, paperProtocol, paperRowLabel, protocolDifferences } from './comparison';
import { PAPER_SOURCE, paperRowFor, type PaperRow } from './paper';
import { INTERVAL_NOTE, intervalRows, perSpeakerTable } from './speakers';
import { confusionTable } from './tables';
import type { ProtocolDifference, ReportRow, ReportTable, RunReport } from './types';
import { crossCorpusGridTables } from './cross-corpus';

/** What the builder needs of a cell (RunCellForReport fits). */
export interface ReportCell {
  id: string;
  featureSet: string;
  classifier: string;
  summary: RunSummary;
}

/** 'mfcc+dl + svm': how a cell is named in tables and pickers. */
export function cellLabel(cell: { featureSet: string; classifier: string }): string {
  return `${cell.featureSet} + ${cell.classifier}`;
}

function paperRowOf(cell: ReportCell): PaperRow | null {
  return paperRowFor(cell.summary.model ?? `${cell.featureSet}+${cell.classifier}`, cell.summary.corpus.name);
}

/**
 * Table II of a grid: per cell its pooled and mean ± sd class accuracies, average (UAR), overall
 * accuracy and macro-F1; with `paper`, the paper's row for the same features and classifier and
 * the difference pooled − paper.
 */
export function cellsTable(cells: ReportCell[], opts: { paper?: boolean } = {}): ReportTable {
  if (cells.length === 0) throw new Error('cellsTable: no cells');
  const classes = cells[0].summary.classes;
  const rows: ReportRow[] = [];
  const notes = [
    'Average = unweighted mean of class accuracies (UAR); overall = correct / n. Pooled: all folds\u2019 test predictions together; mean ± sd: over folds, sample sd.',
    `Every cell uses the same ${cells[0].summary.folds.length} folds and the same per-utterance features.`,
    ...(cells.some((c) => c.summary.statistics) ? [INTERVAL_NOTE] : []),
  ];
  for (const cell of cells) {
    const s = cell.summary;
    const name = cellLabel(cell);
    rows.push({
      label: `${name} (pooled)`,
      kind: 'pooled',
      cells: [
        ...classes.map((c) => num(s.pooled.classAccuracy[c])),
        num(s.pooled.averageAccuracy),
        num(s.pooled.weightedAccuracy),
        num(s.pooled.macroF1),
      ],
    });
    const ms = s.meanSd;
    rows.push({
      label: `${name} (mean ± sd)`,
      kind: 'mean',
      cells: [
        ...classes.map((c) =>
          ms.classAccuracy[c] ? num(ms.classAccuracy[c].mean, ms.classAccuracy[c].sd) : num(null),
        ),
        num(ms.averageAccuracy.mean, ms.averageAccuracy.sd),
        num(ms.weightedAccuracy.mean, ms.weightedAccuracy.sd),
        num(ms.macroF1.mean, ms.macroF1.sd),
      ],
    });
    rows.push(
      ...intervalRows(s, `${name}: `, (cell) => [...classes.map(() => text('')), cell, text(''), text('')]),
    );
    if (!opts.paper) continue;
    const paper = paperRowOf(cell);
    if (!paper) {
      notes.push(`${name}: the paper has no row for these features and classifier on ${s.corpus.name}.`);
      continue;
    }
    rows.push({
      label: paperRowLabel(paper),
      kind: 'paper',
      cells: [...paperCells(paper, classes), text(''), text('')],
    });
    rows.push({
      label: `${name}: pooled − paper`,
      kind: 'delta',
      cells: [
        ...paperDeltaCells(paper, classes, (c) => s.pooled.classAccuracy[c], s.pooled.averageAccuracy),
        text(''),
        text(''),
      ],
    });
  }
  if (opts.paper) {
    notes.push(
      'The paper does not say whether Table II pools the folds\u2019 predictions or averages folds; both are shown.',
      `Source of the paper rows: ${PAPER_SOURCE}.`,
    );
  }
  return {
    id: 'table-ii-cells',
    title: 'Class accuracy per feature set and classifier (Table II shape)',
    columns: ['features + classifier', ...classes, 'average', 'overall', 'macro-F1'],
    rows,
    notes,
  };
}

/**
 * The protocol once for the grid: the aspects every cell shares, from the first cell with a paper
 * row, then a 'features' line per feature set (its cells share it).
 */
function cellsProtocol(cells: ReportCell[]): NonNullable<RunReport['paper']> {
  const withRow = cells.filter((c) => paperRowOf(c));
  if (withRow.length === 0) {
    const s = cells[0].summary;
    return {
      source: PAPER_SOURCE,
      differences: [],
      notes: [
        `The paper reports MFCC+DL and GTCC+DL baselines on RAVDESS and DEMoS only; no cell of this run (${cells.map(cellLabel).join(', ')} on ${s.corpus.name}) has a row to compare with.`,
      ],
    };
  }
  const first = withRow[0];
  const corpus = paperRowOf(first)!.corpus;
  const differences: ProtocolDifference[] = protocolDifferences(first.summary, corpus).filter(
    (d) => d.aspect !== 'features',
  );
  const seen = new Set<string>();
  for (const cell of withRow) {
    if (seen.has(cell.featureSet)) continue;
    seen.add(cell.featureSet);
    const f = protocolDifferences(cell.summary, corpus).find((d) => d.aspect === 'features');
    if (f) differences.push({ ...f, aspect: `features (${cell.featureSet})` });
  }
  return paperProtocol(differences);
}

/** ', YAMNet embeddings (pretrained) in mfcc+dl + svm, ...' or ', no YAMNet' for the provenance line. */
function yamnetCells(cells: ReportCell[]): string {
  const withDl = cells.filter((c) => c.summary.weights.source !== 'none');
  if (withDl.length === 0) return ', no YAMNet';
  const sets = [...new Set(withDl.map((c) => c.featureSet))];
  return `, YAMNet embeddings (${withDl[0].summary.initialWeights}) in ${sets.join(', ')} only`;
}

/** The whole report of a grid run: provenance once, the one table, each cell's pooled confusion. */
export function buildCellsReport(
  cells: ReportCell[],
  opts: { paper?: boolean; title?: string; environment?: unknown } = {},
): RunReport {
  if (cells.length === 0) throw new Error('buildCellsReport: no cells');
  const primary = cells[0].summary;
  const featureSets = [...new Set(cells.map((c) => c.featureSet))];
  const classifiers = [...new Set(cells.map((c) => c.classifier))];
  const grid = `${featureSets.join(', ')} × ${classifiers.join(', ')}`;
  // The weights lines of the first cell that used YAMNet (+dl), else of the first cell ('none').
  const weighted = cells.find((c) => c.summary.weights.source !== 'none')?.summary ?? primary;
  const prov = provenance({
    ...primary,
    weights: weighted.weights,
    initialWeights: weighted.initialWeights,
  }).map((p) =>
    p.label === 'model'
      ? {
          label: 'models',
          value: `baselines ${grid} (${cells.length} cells)${yamnetCells(cells)}`,
        }
      : p,
  );
  const report: RunReport = {
    title: opts.title ?? `Results: baselines ${grid} on ${primary.corpus.name}`,
    provenance: [...prov, ...environmentLines(opts.environment)],
    tables: [
      ...crossCorpusGridTables(cells.map((c) => ({ id: c.id, label: cellLabel(c), summary: c.summary }))),
      cellsTable(cells, opts),
      ...cells.flatMap((c) => {
        const t = perSpeakerTable(c.summary, `-${c.id}`, ` (${cellLabel(c)})`);
        return t ? [t] : [];
      }),
      ...cells.map((c) =>
        confusionTable(
          c.summary.pooled.confusion,
          `confusion-${c.id}`,
          `Pooled confusion matrix (${cellLabel(c)})`,
        ),
      ),
    ],
  };
  if (opts.paper) report.paper = cellsProtocol(cells);
  return report;
}
