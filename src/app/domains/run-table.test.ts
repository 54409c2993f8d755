/**
 * The run table on real folders: a 2 × 2 sweep made by the engine lists as four rows with their
 * swept values and `<sweep>/<cell>` ids; a cell id resolves only to a cell its sweep.json lists;
 * tags and notes live in the run folder; a submission that failed shows as failed with why; a bad
 * sweep field or a missing sbatch is refused before anything is written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSweep, expandSweep } from '../../engine/runs/sweep';
import { parseConfig } from '../../engine/config/schema';
import { writeJsonAtomic } from '../../engine/util/atomic';
import { listRunTable } from './run-table';
import { readNotes, writeNotes } from './run-notes';
import { runDir } from './runs';
import { createSubmission } from './submit';

let tmp: string;
let runsDir: string;
let sweepName: string;
const raw = {
  name: 'grid',
  data: { dir: '/corpora/emodb' },
  model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
  training: { epochs: 1 },
  sweep: { grid: { 'training.learningRate': [0.001, 0.003], seed: [1, 2] } },
};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-run-table-'));
  runsDir = path.join(tmp, 'runs');
  fs.mkdirSync(runsDir);
  const cells = expandSweep(structuredClone(raw), parseConfig(raw).sweep!);
  const { sweepDir } = createSweep(runsDir, 'grid', cells);
  sweepName = path.basename(sweepDir);
  // The first cell prepared (its config.json written as the runner writes it).
  writeJsonAtomic(path.join(sweepDir, 'cells', cells[0].id, 'config.json'), {
    config: cells[0].config,
    foldAssignment: [],
  });
  writeJsonAtomic(path.join(sweepDir, 'submit.json'), {
    executor: 'slurm',
    state: 'preparing',
    started: new Date().toISOString(),
  });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('run table', () => {
  it('lists a 2 × 2 sweep as four rows with their swept values, queued while being prepared', () => {
    const rows = listRunTable(runsDir, [], () => false);
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.sweep?.values)).toEqual([
      { 'training.learningRate': 0.001, seed: 1 },
      { 'training.learningRate': 0.001, seed: 2 },
      { 'training.learningRate': 0.003, seed: 1 },
      { 'training.learningRate': 0.003, seed: 2 },
    ]);
    expect(rows.every((r) => r.id.startsWith(`${sweepName}/`) && r.state === 'queued')).toBe(true);
    expect(rows[0].columns).toMatchObject({ trainFrom: 'frozen', learningRate: 0.001, executor: 'local' });
  });

  it('resolves a cell id only to a cell its sweep lists', () => {
    const [first] = listRunTable(runsDir, [], () => false);
    expect(runDir(runsDir, first.id)).toBe(first.dir);
    expect(() => runDir(runsDir, `${sweepName}/99-nope`)).toThrow(/has no cell '99-nope'/);
    expect(() => runDir(runsDir, `no-such-sweep/${first.sweep!.cell}`)).toThrow(/no sweep 'no-such-sweep'/);
    expect(() => runDir(runsDir, `${sweepName}/..`)).toThrow(/has no cell/);
  });

  it('keeps tags and notes in the run folder and shows them in its row', () => {
    const [first] = listRunTable(runsDir, [], () => false);
    writeNotes(first.dir, { tags: [' baseline ', 'baseline', 'lr'] });
    writeNotes(first.dir, { notes: 'cluster test' });
    expect(readNotes(first.dir)).toEqual({ tags: ['baseline', 'lr'], notes: 'cluster test' });
    const row = listRunTable(runsDir, [], () => false).find((r) => r.id === first.id)!;
    expect(row).toMatchObject({ tags: ['baseline', 'lr'], notes: 'cluster test' });
    expect(fs.readdirSync(first.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('shows a failed submission as failed, with its message, on every cell', () => {
    const sweepDir = path.join(runsDir, sweepName);
    writeJsonAtomic(path.join(sweepDir, 'submit.json'), {
      executor: 'slurm',
      state: 'failed',
      started: new Date().toISOString(),
      error: 'Slurm rejected the job: invalid partition',
    });
    const rows = listRunTable(runsDir, [], () => false);
    expect(rows.map((r) => r.state)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(rows[0].error).toMatch(/invalid partition/);
  });
});

describe('submission checks before anything is written', () => {
  it('names the field and the cell of a sweep value the schema refuses', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'bad-'));
    const bad = { ...raw, sweep: { grid: { 'training.epochs': [1, -2] } } };
    expect(() => createSubmission(bad, dir)).toThrow(/training\.epochs.*|cell 02-epochs=-2/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('says what to install when the slurm executor has no sbatch', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'noslurm-'));
    const saved = process.env.PATH;
    process.env.PATH = path.join(tmp, 'empty-bin');
    try {
      expect(() => createSubmission({ ...raw, execution: { executor: 'slurm' } }, dir)).toThrow(
        /slurm executor needs Slurm's sbatch.*apt install slurm-client/,
      );
    } finally {
      process.env.PATH = saved;
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
