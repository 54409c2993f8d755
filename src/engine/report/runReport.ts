import path from 'node:path';
import { buildRunReport } from './build';
import { buildCombinedReport } from './combined';
import { confusionFigures, renderHtmlReport, reportToHtml } from './html';
import { readRunForReport } from './load';
import { renderReport } from './render';
import type { ReportFormat } from './types';

/**
 * A finished run folder's report in any format, from summary.json and environment.json: the one
 * call behind `ser-workbench report` and the UI's export.
 */
export async function renderRunReport(
  runDir: string,
  format: ReportFormat | 'html',
  opts: { paper?: boolean } = {},
): Promise<string> {
  if (format === 'html') return renderHtmlReport(runDir, { paper: opts.paper ?? true });
  const { summary, environment } = await readRunForReport(runDir);
  return renderReport(buildRunReport(summary, { paper: opts.paper, environment }), format);
}

/** Several runs in one Table II (each labelled by its folder name), optionally with the paper's rows. */
export async function renderRunsReport(
  runDirs: string[],
  format: ReportFormat | 'html',
  opts: { paper?: boolean } = {},
): Promise<string> {
  const runs = await Promise.all(
    runDirs.map(async (dir) => ({
      label: path.basename(path.resolve(dir)),
      summary: (await readRunForReport(dir)).summary,
    })),
  );
  const report = buildCombinedReport(runs, opts);
  if (format !== 'html') return renderReport(report, format);
  return reportToHtml(
    report,
    undefined,
    runs.flatMap((r) => confusionFigures(r.summary, !!opts.paper, r.label)),
  );
}
