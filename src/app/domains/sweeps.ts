/**
 * Sweeps as the run table sees them: a sweep folder in the runs folder (sweep.json, cells/<id>/)
 * holds one run per cell. A cell's run id is `<sweep folder>/<cell id>`; it resolves only to a
 * cell its sweep.json lists, so an id can never name another path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readSweep, type SweepFile } from '../../engine/runs/sweep';
import { UserError } from '../../engine/util/errors';

/** A sweep folder: a folder directly in the runs folder holding sweep.json. */
export function listSweepDirs(runsDir: string): string[] {
  if (!fs.existsSync(runsDir)) return [];
  return fs
    .readdirSync(runsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(runsDir, e.name, 'sweep.json')))
    .map((e) => path.join(runsDir, e.name));
}

export interface SweepCellRef {
  /** The run id: `<sweep folder>/<cell id>`. */
  id: string;
  sweepDir: string;
  sweep: SweepFile;
  cell: SweepFile['cells'][number];
  dir: string;
}

function readSweepOrNull(sweepDir: string): SweepFile | null {
  try {
    return readSweep(sweepDir);
  } catch {
    return null;
  }
}

/** Every cell of every sweep in the runs folder. */
export function listSweepCells(runsDir: string): SweepCellRef[] {
  return listSweepDirs(runsDir).flatMap((sweepDir) => {
    const sweep = readSweepOrNull(sweepDir);
    if (!sweep) return [];
    return (
      sweep.cells
        .map((cell) => ({
          id: `${path.basename(sweepDir)}/${cell.id}`,
          sweepDir,
          sweep,
          cell,
          // From the id, never from the file: a sweep folder moved elsewhere still resolves.
          dir: path.join(sweepDir, 'cells', cell.id),
        }))
        // A cell moved to the trash is listed there, not here.
        .filter((c) => fs.existsSync(c.dir))
    );
  });
}

/** The cell a `<sweep>/<cell>` run id names, or a user error saying what is missing. */
export function resolveSweepCell(runsDir: string, id: string): SweepCellRef {
  const [sweepName, cellId] = id.split('/');
  const sweepDir = path.join(runsDir, sweepName);
  const sweep = readSweepOrNull(sweepDir);
  if (!sweep) throw new UserError(`no sweep '${sweepName}' in ${runsDir}`);
  const cell = sweep.cells.find((c) => c.id === cellId);
  if (!cell) throw new UserError(`sweep '${sweepName}' has no cell '${cellId}'`);
  return { id, sweepDir, sweep, cell, dir: path.join(sweepDir, 'cells', cell.id) };
}
