/**
 * A 2 × 2 sweep (learning rate × seed) of frozen runs on the local executor with 2 worker
 * processes: one sweep folder with four run folders, each cell equal to the same config run
 * serially, and `report SWEEPDIR` prints four rows with the best marked. A sweep over a field
 * that does not exist, or with a value the schema rejects, is refused naming the field and the
 * cell before anything is written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeCorpus } from '../src/engine/corpora';
import { foldDir } from '../src/engine/runs/store';
import { runCli } from './helpers/cli';

let tmp: string;
let corpus: string;
let home: string;

const base = {
  name: 'sw',
  model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
  training: { epochs: 2, batchSize: 8 },
  backend: 'wasm',
  seed: 1,
};

function writeConfig(name: string, config: object): string {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-sweep-'));
  corpus = path.join(tmp, 'corpus');
  home = path.join(tmp, 'home');
  await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 4 });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('sweeps', () => {
  it('refuses a nonexistent field or an invalid value, naming field and cell, before writing anything', async () => {
    const out = path.join(tmp, 'refused');
    const typo = writeConfig('typo', { ...base, sweep: { grid: { 'training.epoch': [1, 2] } } });
    const a = await runCli(['run', typo, '--data', corpus, '--out', out], home);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(
      /sweep cell 01-epoch=1 is not a valid experiment config:\n\s+training\.epoch: unknown key; did you mean 'training\.epochs'\?/,
    );
    const bad = writeConfig('bad', { ...base, sweep: { grid: { 'training.batchSize': [8, -1] } } });
    const b = await runCli(['run', bad, '--data', corpus, '--out', out], home);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(
      /sweep cell 02-batchSize=-1 is not a valid experiment config:.*training\.batchSize/s,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('runs a 2 × 2 grid on 2 local processes; each cell equals its serial run; report prints the table', async () => {
    const sweepConfig = writeConfig('grid', {
      ...base,
      sweep: { grid: { 'training.learningRate': [0.001, 0.003], seed: [1, 2] } },
    });
    const r = await runCli(
      ['run', sweepConfig, '--data', corpus, '--out', path.join(tmp, 'sweeps'), '--parallel', '2', '--json'],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /local executor: 2 processes: 2 asked for; 1 TensorFlow thread\(s\) per process/,
    );
    const { sweepDir } = JSON.parse(r.stdout);
    const sweep = JSON.parse(fs.readFileSync(path.join(sweepDir, 'sweep.json'), 'utf8'));
    expect(sweep.cells.map((c: { values: object }) => c.values)).toEqual([
      { 'training.learningRate': 0.001, seed: 1 },
      { 'training.learningRate': 0.001, seed: 2 },
      { 'training.learningRate': 0.003, seed: 1 },
      { 'training.learningRate': 0.003, seed: 2 },
    ]);
    for (const c of sweep.cells) expect(fs.existsSync(path.join(c.runDir, 'summary.json')), c.id).toBe(true);
    // The folds of the cells were spread over both worker processes.
    const pids = new Set(
      sweep.cells.flatMap((c: { runDir: string }) =>
        [0, 1, 2].map(
          (i) => JSON.parse(fs.readFileSync(path.join(foldDir(c.runDir, i), 'environment.json'), 'utf8')).pid,
        ),
      ),
    );
    expect(pids.size).toBeGreaterThanOrEqual(2);

    // Cell 4 (lr 0.003, seed 2) run on its own, serially: the same predictions.
    const serial = await runCli(
      [
        'run',
        writeConfig('cell4', { ...base, training: { ...base.training, learningRate: 0.003 }, seed: 2 }),
        '--data',
        corpus,
        '--out',
        path.join(tmp, 'serial'),
        '--parallel',
        '1',
        '--json',
      ],
      home,
    );
    expect(serial.code, serial.stderr).toBe(0);
    const preds = (d: string) =>
      [0, 1, 2].map((i) => fs.readFileSync(path.join(foldDir(d, i), 'predictions.json'), 'utf8'));
    expect(preds(sweep.cells[3].runDir)).toEqual(preds(JSON.parse(serial.stdout).runDir));

    const report = await runCli(['report', sweepDir], home);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/training\.learningRate \| seed \| pooled UAR \| UAR mean ± sd/);
    expect(report.stdout.split('\n').filter((l) => /^\| (\*)? ?\| (0\.001|0\.003) \|/.test(l))).toHaveLength(
      4,
    );
    expect(report.stdout.split('\n').filter((l) => l.startsWith('| * |')).length).toBeGreaterThanOrEqual(1);
  }, 1_500_000);
});
