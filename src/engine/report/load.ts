import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { runSummarySchema, upgradeRunSummary } from '../eval/schema';
import type { RunSummary } from '../eval/types';
import { withStatistics } from '../runs/statistics';
import { FileError, UserError } from '../util/errors';

export interface RunForReport {
  runDir: string;
  summary: RunSummary;
  /** config.json and environment.json as written by the runner, when present (not validated here). */
  config: unknown;
  environment: unknown;
}

async function readJson(file: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) return undefined;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FileError(
        file,
        'not found (is this a finished run folder? summary.json is written when all folds are done)',
      );
    }
    throw new FileError(file, (err as Error).message);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FileError(file, `not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads a run folder's summary.json (validated) with its config.json and environment.json. */
export async function readRunForReport(runDir: string): Promise<RunForReport> {
  const dir = path.resolve(runDir);
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat?.isDirectory()) throw new UserError(`${runDir}: not a run folder`);
  const file = path.join(dir, 'summary.json');
  const raw = await readJson(file, true);
  const parsed = runSummarySchema.safeParse(upgradeRunSummary(raw));
  if (!parsed.success) throw new FileError(file, `not a run summary: ${z.prettifyError(parsed.error)}`);
  return {
    runDir: dir,
    summary: withStatistics(dir, parsed.data as RunSummary),
    config: await readJson(path.join(dir, 'config.json'), false),
    environment: await readJson(path.join(dir, 'environment.json'), false),
  };
}

/** One cell of a baseline grid run, with its own summary (cells/<id>/summary.json). */
export interface RunCellForReport {
  id: string;
  featureSet: string;
  classifier: string;
  summary: RunSummary;
}

/**
 * The cells of a grid run in table order (from table.json), or null for a run of one model.
 * Each cell's summary.json is validated like the run's.
 */
export async function readRunCells(runDir: string): Promise<RunCellForReport[] | null> {
  const dir = path.resolve(runDir);
  const file = path.join(dir, 'table.json');
  const raw = await readJson(file, false);
  if (raw === undefined) return null;
  const parsed = cellsTableSchema.safeParse(raw);
  if (!parsed.success) throw new FileError(file, `not a run cells table: ${z.prettifyError(parsed.error)}`);
  return Promise.all(
    parsed.data.cells.map(async (c) => {
      const summaryFile = path.join(dir, c.dir, 'summary.json');
      const s = runSummarySchema.safeParse(upgradeRunSummary(await readJson(summaryFile, true)));
      if (!s.success) throw new FileError(summaryFile, `not a run summary: ${z.prettifyError(s.error)}`);
      const summary = withStatistics(dir, s.data as RunSummary, path.join(dir, c.dir));
      return { id: c.id, featureSet: c.featureSet, classifier: c.classifier, summary };
    }),
  );
}

const cellsTableSchema = z.looseObject({
  version: z.literal(1),
  cells: z
    .array(
      z.looseObject({
        id: z.string(),
        featureSet: z.string(),
        classifier: z.string(),
        // Relative and inside the run folder: table.json must not send readers elsewhere.
        dir: z.string().refine((d) => !path.isAbsolute(d) && !d.split(/[\\/]/).includes('..'), {
          error: 'must be a folder inside the run',
        }),
      }),
    )
    .min(1),
});
