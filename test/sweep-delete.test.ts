/**
 * Deleting a whole sweep from the run table, over real HTTP: sweeps.delete moves the sweep folder
 * (sweep.json and every cell, a finished run among them) to the trash in the data folder as one
 * entry; its cells leave the run table; sweeps.restore brings every file back and the cells list
 * again. A sweep with a queued cell, an id that is a run, and a run restored as a sweep are refused
 * with a message that says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunInfo, TrashedRun } from '../src/shared/contract';
import { createSweep, expandSweep } from '../src/engine/runs/sweep';
import { writeSampleRun } from '../src/engine/report/sample-run';
import { servedTest } from './helpers/served';

const fixture = path.join(__dirname, 'fixtures', 'old-run-a96f025');
let sweepId: string;
let busyId: string;

/** A sweep made as runs.submit makes one (expandSweep, createSweep), with a finished run in cell 1. */
function makeSweep(runsDir: string, name: string): { id: string; dir: string; cells: string[] } {
  const base = { name, model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } } };
  const cells = expandSweep(base, { grid: { seed: [1, 2] } });
  const { sweepDir, file } = createSweep(runsDir, name, cells);
  fs.cpSync(fixture, file.cells[0].runDir, { recursive: true });
  return { id: path.basename(sweepDir), dir: sweepDir, cells: file.cells.map((c) => c.id) };
}

const served = servedTest('sweep-delete', {
  prepare: async ({ runsDir }) => {
    await writeSampleRun(path.join(runsDir, 'sample-run'));
    sweepId = makeSweep(runsDir, 'seeds').id;
    const busy = makeSweep(runsDir, 'queued');
    busyId = busy.id;
    // Its second cell waits for its fold jobs (as a Slurm array task does before it starts).
    fs.writeFileSync(
      path.join(busy.dir, 'cells', busy.cells[1], 'status.json'),
      JSON.stringify({ state: 'queued', fold: 0, folds: 2, epoch: 0, epochs: 1, foldsDone: [] }),
    );
  },
});
const { runsDir, home, ok } = served;
const call = async (method: string, body: unknown) => (await served.call(method, body)).body;
const cellsOf = (rows: RunInfo[], id: string) => rows.filter((r) => r.sweep?.id === id);

describe('deleting a whole sweep', () => {
  const summaryFile = () => path.join(runsDir, sweepId, 'cells', '01-seed=1', 'summary.json');

  it('moves the sweep folder to the trash as one entry and its cells leave the run table', async () => {
    expect(cellsOf((await ok('runs.list', {})) as RunInfo[], sweepId).map((r) => r.sweep?.cell)).toEqual([
      '01-seed=1',
      '02-seed=2',
    ]);
    const summary = fs.readFileSync(summaryFile(), 'utf8');
    const trashed = (await ok('sweeps.delete', { id: sweepId })) as TrashedRun;
    expect(trashed).toMatchObject({ id: sweepId, kind: 'sweep', name: 'sweep seeds' });
    expect(fs.existsSync(path.join(runsDir, sweepId))).toBe(false);
    const inTrash = path.join(home, 'trash', 'runs', sweepId);
    expect(fs.readFileSync(path.join(inTrash, 'cells', '01-seed=1', 'summary.json'), 'utf8')).toBe(summary);
    const rows = (await ok('runs.list', {})) as RunInfo[];
    expect(cellsOf(rows, sweepId)).toEqual([]);
    expect(rows.map((r) => r.id)).toContain('sample-run');
    expect((await ok('runs.trash', {})) as TrashedRun[]).toEqual([trashed]);
    expect((await call('runs.get', { id: `${sweepId}/01-seed=1` })).error?.message).toMatch(/no sweep/);
  });

  it('refuses to restore a sweep as a run, then restores it whole as a sweep', async () => {
    expect((await call('runs.restore', { id: sweepId })).error?.message).toMatch(/is a sweep, not a run/);
    const cells = (await ok('sweeps.restore', { id: sweepId })) as RunInfo[];
    expect(cells.map((c) => c.id)).toEqual([`${sweepId}/01-seed=1`, `${sweepId}/02-seed=2`]);
    expect(cells[0].state).toBe('done');
    expect(cells[0].uar).toBeTypeOf('number');
    expect(fs.existsSync(summaryFile())).toBe(true);
    expect(fs.existsSync(path.join(runsDir, sweepId, 'trashed.json'))).toBe(false);
    expect((await ok('runs.trash', {})) as TrashedRun[]).toEqual([]);
    const detail = await ok('runs.get', { id: `${sweepId}/01-seed=1` });
    expect(detail.summary?.pooled.averageAccuracy).toBe(cells[0].uar);
  });

  it('refuses a sweep with a queued cell, naming the cell, and moves nothing', async () => {
    const r = await call('sweeps.delete', { id: busyId });
    expect(r.error?.kind).toBe('user');
    expect(r.error?.message).toMatch(/cancel its cells first: 02-seed=2 \(queued\)/);
    expect(fs.existsSync(path.join(runsDir, busyId, 'sweep.json'))).toBe(true);
  });

  it('refuses an id that is a run, one that does not exist, and one that leaves the runs folder', async () => {
    expect((await call('sweeps.delete', { id: 'sample-run' })).error?.message).toMatch(/is not a sweep/);
    expect((await call('sweeps.delete', { id: 'nope' })).error?.message).toMatch(/no sweep 'nope'/);
    expect((await call('sweeps.delete', { id: '..' })).error?.kind).toBe('invalid');
    expect(fs.existsSync(path.join(runsDir, 'sample-run'))).toBe(true);
  });
});
