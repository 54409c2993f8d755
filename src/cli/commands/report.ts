import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { renderRunReport, renderRunsReport } from '../../engine/report/run-report';
import { REPORT_FORMATS, type ReportFormat } from '../../engine/report/types';
import { UserError } from '../../engine/util/errors';
import { parseCommand, progress } from '../args';

const usage =
  'ser-workbench report RUNDIR... [--format md|csv|latex|json|html] [--paper] [--json] [--out FILE]';

/** Prints finished runs as tables (Table II shape, pooled confusion), optionally next to the paper. */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      format: { type: 'string', short: 'f', default: 'md' },
      paper: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string', short: 'o' },
    },
    usage,
  );
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length === 0) throw new UserError(`expected a run folder\nusage: ${usage}`);
  const format = values.json ? 'json' : values.format!;
  if (format !== 'html' && !REPORT_FORMATS.includes(format as ReportFormat)) {
    throw new UserError(`unknown format '${format}' (md, csv, latex, json, html)\nusage: ${usage}`);
  }
  // A sweep folder: the sweep table (one row per cell, best marked).
  if (positionals.length === 1 && existsSync(path.join(positionals[0], 'sweep.json'))) {
    const { renderSweepTable, sweepTable } = await import('../../engine/runs/sweep');
    process.stdout.write(
      values.json
        ? JSON.stringify(sweepTable(positionals[0]), null, 2) + '\n'
        : renderSweepTable(positionals[0]),
    );
    return 0;
  }
  // One run: its full report (folds, confusion); several: one Table II row block per run.
  const text =
    positionals.length === 1
      ? await renderRunReport(positionals[0], format as ReportFormat | 'html', { paper: values.paper })
      : await renderRunsReport(positionals, format as ReportFormat | 'html', { paper: values.paper });
  if (values.out) {
    await fs.writeFile(values.out, text);
    progress(`wrote ${values.out}`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
