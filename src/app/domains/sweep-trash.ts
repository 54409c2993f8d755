/**
 * Deleting a whole sweep from the run table: its folder (sweep.json and every cell's run) goes to
 * the trash in the data folder as one entry, and comes back as one, cells and all. A sweep with a
 * cell still training or queued (locally or on Slurm) stays: its processes write into the folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunInfo, TrashedRun } from '@shared/contract';
import { UserError } from '../../engine/util/errors';
import { permittedPath } from '../access';
import { restoreRun, trashRun } from './run-manage';
import { cellInfo } from './run-table';
import { listSweepCells } from './sweeps';

/** The sweep folder `id` names in the runs folder, or a user error saying what it is instead. */
function sweepFolder(runsDir: string, id: string): string {
  const dir = path.join(runsDir, id);
  permittedPath([runsDir], dir);
  if (!fs.existsSync(dir)) throw new UserError(`no sweep '${id}' in ${runsDir}`);
  if (!fs.existsSync(path.join(dir, 'sweep.json')))
    throw new UserError(`'${id}' is not a sweep (no sweep.json): delete it as a run`);
  return dir;
}

/** The rows of a sweep's cells, as the run table shows them. */
function sweepRows(runsDir: string, sweepDir: string, isLive: (id: string) => boolean): RunInfo[] {
  return listSweepCells(runsDir)
    .filter((c) => c.sweepDir === sweepDir)
    .map((c) => cellInfo(c, isLive(c.id)));
}

export function deleteSweep(runsDir: string, id: string, isLive: (id: string) => boolean): TrashedRun {
  const dir = sweepFolder(runsDir, id);
  const busy = sweepRows(runsDir, dir, isLive).filter(
    (r) => r.live || r.state === 'running' || r.state === 'queued',
  );
  if (busy.length) {
    const cells = busy.map((r) => `${r.sweep?.cell ?? r.id} (${r.live ? 'running here' : r.state})`);
    throw new UserError(`sweep ${id}: cancel its cells first: ${cells.join(', ')}`);
  }
  return trashRun(dir);
}

export function restoreSweep(runsDir: string, id: string, isLive: (id: string) => boolean): RunInfo[] {
  const dir = restoreRun(id, runsDir, 'sweep');
  return sweepRows(runsDir, dir, isLive);
}
