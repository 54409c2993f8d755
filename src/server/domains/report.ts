/** A run's report as a file, rendered by the engine's report module (Table II vs the paper). */
import path from 'node:path';
import type { ExportFormat } from '../../shared/contract';

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
