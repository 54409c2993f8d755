import path from 'node:path';
import { buildRunReport } from './build';
import { buildCellsReport, cellLabel } from './cells';
import { buildCombinedReport, type LabelledRun } from './combined';
import { confusionFigures, renderHtmlReport, reportToHtml } from './html';
import { readRunCells, readRunForReport } from './load';
import { renderReport } from './render';
import type { ReportFormat, RunReport } from './types';

/**
 * A finished run folder's report in any format, from summary.json and environment.json: the one
 * call behind `ser-workbench report` and the UI's export. A baseline grid run (table.json with
 * several cells) gives one table with a row block per cell.
 */
export async function renderRunReport(
  runDir: string,
  format: ReportFormat | 'html',
  opts: { paper?: boolean } = {},
): Promise<string> {
  if (format === 'html') return renderHtmlReport(runDir, { paper: opts.paper ?? true });
  return renderReport(await buildRunDirReport(runDir, opts), format);
}

/** The report of a finished run folder: a grid run's cells table, else the one model's report. */
export async function buildRunDirReport(
  runDir: string,
  opts: { paper?: boolean; title?: string } = {},
): Promise<RunReport> {
  const { summary, environment } = await readRunForReport(runDir);
  const cells = await readRunCells(runDir);
  if (cells && cells.length > 1) return buildCellsReport(cells, { ...opts, environment });
  return buildRunReport(summary, { ...opts, environment });
}

/**
 * Several runs in one Table II (each labelled by its folder name, a grid run's cells by folder and
 * cell), optionally with the paper's rows.
 */
export async function renderRunsReport(
  runDirs: string[],
  format: ReportFormat | 'html',
  opts: { paper?: boolean } = {},
): Promise<string> {
  const perDir = await Promise.all(
    runDirs.map(async (dir): Promise<LabelledRun[]> => {
      const label = path.basename(path.resolve(dir));
      const { summary } = await readRunForReport(dir);
      const cells = await readRunCells(dir);
      if (!cells || cells.length <= 1) return [{ label, summary }];
      return cells.map((c) => ({ label: `${label} ${cellLabel(c)}`, summary: c.summary }));
    }),
  );
  const runs = perDir.flat();
  const report = buildCombinedReport(runs, opts);
  if (format !== 'html') return renderReport(report, format);
  return reportToHtml(
    report,
    undefined,
    runs.flatMap((r) => confusionFigures(r.summary, !!opts.paper, r.label)),
  );
}
