/** A run's report as a file, rendered by the engine's report module (Table II vs the paper). */
import path from 'node:path';
import type { ExportFormat, PaperComparison, TextTable } from '../../shared/contract';
import type { Cell, ReportTable } from '../../engine/report/types';
import type { RunSummary } from '../../engine/eval/types';

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
  if (format === 'html')
    return { filename, mime, text: await report.renderHtmlReport(runDir, { paper: true }) };
  const { summary } = await report.readRunForReport(runDir);
  return {
    filename,
    mime,
    text: report.renderReport(report.buildRunReport(summary, { paper: true }), format),
  };
}

function cellText(c: Cell, format: (v: number | null) => string): string {
  if (c.kind === 'text') return c.text;
  if (c.kind === 'count') return String(c.value);
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
    })),
    notes: t.notes,
  };
}

/** The engine's comparison with the paper's Table II (or why there is none). */
export async function paperComparison(summary: RunSummary): Promise<PaperComparison> {
  const { paperSection } = await import('../../engine/report');
  const { table, paper } = paperSection(summary);
  return {
    source: paper.source,
    table: table ? await textTable(table) : null,
    differences: paper.differences,
    notes: paper.notes,
  };
}
