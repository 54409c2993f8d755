/**
 * The cross-corpus part of a run's report: the matrix of UAR (rows trained on, columns tested
 * on), the per-class accuracies of each cell, and the class mapping (what each corpus kept and
 * what it left out because another corpus lacks the class).
 */
import type { RunSummary } from '../eval/types';
import { crossCorpusCell, trainedOnLabel, type CrossCorpusResult } from '@shared/cross-corpus';
import { num, text } from './cell';
import type { ReportTable } from './types';

const NOT_TESTED = '\u2013';

function matrixTable(x: CrossCorpusResult, idSuffix = '', titleSuffix = ''): ReportTable {
  return {
    id: `cross-corpus-matrix${idSuffix}`,
    title: `Cross-corpus UAR (rows: trained on, columns: tested on)${titleSuffix}`,
    columns: ['trained on \\ tested on', ...x.columns],
    rows: x.rows.map((row) => ({
      label: row,
      kind: 'fold',
      cells: x.columns.map((column) => {
        const cell = crossCorpusCell(x, row, column);
        return cell ? num(cell.uar) : text(NOT_TESTED);
      }),
    })),
    notes: [
      `UAR: unweighted average recall over the ${x.classes.length} classes every corpus has (${x.classes.join(', ')}), on all utterances of the tested corpus.`,
      `${NOT_TESTED}: no model of this run was trained on that row and tested on that column (a corpus is never tested by a model that trained on it).`,
    ],
  };
}

function classTable(x: CrossCorpusResult, idSuffix = '', titleSuffix = ''): ReportTable {
  return {
    id: `cross-corpus-classes${idSuffix}`,
    title: `Cross-corpus class accuracy per trained-on → tested-on pair${titleSuffix}`,
    columns: ['trained on → tested on', ...x.classes, 'UAR', 'n'],
    rows: x.cells.map((c) => ({
      label: `${trainedOnLabel(c.train)} \u2192 ${c.test}`,
      kind: 'fold',
      cells: [
        ...x.classes.map((k) => num(c.classAccuracy[k])),
        num(c.uar),
        { kind: 'count', value: c.utterances },
      ],
    })),
    notes: ['Class accuracy = recall of the class on the tested corpus; each pair is one fold of the run.'],
  };
}

function mappingTable(x: CrossCorpusResult): ReportTable {
  return {
    id: 'cross-corpus-mapping',
    title: 'Cross-corpus class mapping',
    columns: ['corpus', 'layout', 'utterances', 'speakers', 'its classes', 'left out'],
    rows: x.corpora.map((c) => {
      const dropped = Object.entries(c.dropped).map(([k, n]) => `${k} (${n})`);
      return {
        label: c.name,
        kind: 'fold',
        cells: [
          text(c.corpus),
          { kind: 'count', value: c.utterances },
          { kind: 'count', value: c.speakers },
          text(c.classes.join(', ')),
          text(dropped.length ? dropped.join(', ') : 'none'),
        ],
      };
    }),
    notes: [
      `The run uses the classes every corpus has: ${x.classes.join(', ')}. Utterances of other classes are left out (counts in brackets); utterances and speakers are those kept.`,
    ],
  };
}

/** The cross-corpus tables of a run (none for a run of one corpus). */
export function crossCorpusTables(summary: RunSummary): ReportTable[] {
  const x = summary.crossCorpus;
  return x ? [matrixTable(x), classTable(x), mappingTable(x)] : [];
}

/**
 * A baseline grid's cross-corpus tables: the matrix and class accuracies of each cell (ids and
 * titles naming the cell), then the class mapping once (every cell shares the corpora).
 */
export function crossCorpusGridTables(
  cells: readonly { id: string; label: string; summary: RunSummary }[],
): ReportTable[] {
  const withMatrix = cells.filter((c) => c.summary.crossCorpus);
  if (withMatrix.length === 0) return [];
  return [
    ...withMatrix.map((c) => matrixTable(c.summary.crossCorpus!, `-${c.id}`, ` (${c.label})`)),
    ...withMatrix.map((c) => classTable(c.summary.crossCorpus!, `-${c.id}`, ` (${c.label})`)),
    mappingTable(withMatrix[0].summary.crossCorpus!),
  ];
}

/** The provenance lines naming each corpus's folder. */
export function crossCorpusProvenance(summary: RunSummary): { label: string; value: string }[] {
  return (summary.crossCorpus?.corpora ?? []).map((c) => ({
    label: `corpus ${c.name}`,
    value: `${c.corpus} layout in ${c.dir}`,
  }));
}
