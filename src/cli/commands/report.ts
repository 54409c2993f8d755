import fs from 'node:fs/promises';
import { buildRunReport } from '../../engine/report/build';
import { renderHtmlReport } from '../../engine/report/html';
import { readRunForReport } from '../../engine/report/load';
import { renderReport } from '../../engine/report/render';
import { REPORT_FORMATS, type ReportFormat } from '../../engine/report/types';
import { UserError } from '../../engine/util/errors';
import { parse, progress } from '../args';

const usage = 'ser-workbench report RUNDIR [--format md|csv|latex|json|html] [--paper] [--json] [--out FILE]';

/** Prints a finished run as tables (Table II shape, pooled confusion), optionally next to the paper. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      format: { type: 'string', short: 'f', default: 'md' },
      paper: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    usage,
  );
  if (values.help) {
    process.stdout.write(`usage: ${usage}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UserError(`expected one run folder\nusage: ${usage}`);
  const format = values.json ? 'json' : values.format!;
  if (format !== 'html' && !REPORT_FORMATS.includes(format as ReportFormat)) {
    throw new UserError(`unknown format '${format}' (md, csv, latex, json, html)\nusage: ${usage}`);
  }
  const runDir = positionals[0];
  let text: string;
  if (format === 'html') {
    text = await renderHtmlReport(runDir, { paper: values.paper });
  } else {
    const { summary, environment } = await readRunForReport(runDir);
    text = renderReport(
      buildRunReport(summary, { paper: values.paper, environment }),
      format as ReportFormat,
    );
  }
  if (values.out) {
    await fs.writeFile(values.out, text);
    progress(`wrote ${values.out}`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
