/** A run's report as a file, rendered by the engine's report module (Table II vs the paper). */
import path from 'node:path';
import type { ExportFormat, PaperComparison, TextTable } from '@shared/contract';
import type { Cell, ReportTable } from '../../engine/report/types';
import type { SummaryWithCells } from './runs';

const FILES: Record<ExportFormat, { ext: string; mime: string }> = {
  md: { ext: 'md', mime: 'text/markdown' },
  csv: { ext: 'csv', mime: 'text/csv' },
  latex: { ext: 'tex', mime: 'application/x-tex' },
  json: { ext: 'json', mime: 'application/json' },
  html: { ext: 'html', mime: 'text/html' },
};

export async function exportReport(
  runDir: string,
  format: ExportFormat,
): Promise<{ filename: string; mime: string; text: string }> {
  const report = await import('../../engine/report');
  const id = path.basename(runDir);
  const { ext, mime } = FILES[format];
  const filename = `${id}-report.${ext}`;
  // A baseline grid run exports its one table of every cell, like `ser-workbench report`.
  return { filename, mime, text: await report.renderRunReport(runDir, format, { paper: true }) };
}

function cellText(c: Cell, format: (v: number | null) => string): string {
  if (c.kind === 'text') return c.text;
  if (c.kind === 'count') return String(c.value);
  if (c.kind === 'interval')
    return c.lo === null || c.hi === null ? '–' : `[${format(c.lo)}, ${format(c.hi)}]`;
  const v = c.signed && c.value !== null && c.value > 0 ? `+${format(c.value)}` : format(c.value);
  return c.sd !== undefined && c.sd !== null && c.value !== null ? `${v} ± ${format(c.sd)}` : v;
}

export async function textTable(t: ReportTable): Promise<TextTable> {
  const { formatNumber } = await import('../../engine/report');
  return {
    title: t.title,
    columns: t.columns,
    rows: t.rows.map((r) => ({
      label: r.label,
      kind: r.kind,
      cells: r.cells.map((c) => cellText(c, (v) => formatNumber(v))),
      numbers: r.cells.map((c) =>
        c.kind === 'number'
          ? { value: c.value, sd: c.sd ?? null, signed: c.signed ?? false }
          : c.kind === 'interval'
            ? {
                value: null,
                sd: null,
                signed: false,
                interval: [c.lo, c.hi] as [number | null, number | null],
              }
            : null,
      ),
    })),
    notes: t.notes,
  };
}

/**
 * The engine's comparison with the paper's Table II (or why there is none). A grid run compares
 * every cell with its paper row in one table, and the shared protocol once.
 */
export async function paperComparison(summary: SummaryWithCells): Promise<PaperComparison> {
  const { paperSection, buildCellsReport } = await import('../../engine/report');
  if (summary.gridCells && summary.gridCells.length > 1) {
    const cells = summary.gridCells.map((c) => {
      const [featureSet, classifier] = c.id.split('__');
      return { id: c.id, featureSet, classifier, summary: c.summary };
    });
    const r = buildCellsReport(cells, { paper: true });
    const table = r.tables[0];
    // Pooled, paper and difference rows per cell (mean ± sd is in the results table above).
    const compared = { ...table, rows: table.rows.filter((row) => row.kind !== 'mean') };
    const hasPaper = compared.rows.some((row) => row.kind === 'paper');
    return {
      source: r.paper!.source,
      table: hasPaper ? await textTable(compared) : null,
      differences: r.paper!.differences,
      notes: r.paper!.notes,
    };
  }
  const { table, paper } = paperSection(summary);
  return {
    source: paper.source,
    table: table ? await textTable(table) : null,
    differences: paper.differences,
    notes: paper.notes,
  };
}
