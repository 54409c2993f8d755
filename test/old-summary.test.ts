/**
 * summary.json written by versions before `initialWeights` named the weight initialisation
 * `trainFrom`. Such run folders still read the same everywhere a summary is read: the run store,
 * the report loader, the gather step and the served Results view.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunSummary, upgradeRunSummary } from '../src/engine/eval/schema';
import { readRunForReport } from '../src/engine/report/load';
import { sampleRunSummary, writeSampleRun } from '../src/engine/report/sample-run';
import { readSummary } from '../src/app/domains/runs';
import { readRun } from '../src/engine/runs/store';

let tmp: string;
let oldRun: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-old-summary-'));
  oldRun = path.join(tmp, 'old-run');
  await writeSampleRun(oldRun);
  // The summary as an older version wrote it: the same document with the field's old name.
  const file = path.join(oldRun, 'summary.json');
  const { initialWeights, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ ...rest, trainFrom: initialWeights }));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a summary.json with the old trainFrom field', () => {
  it('reads as initialWeights in the run store, the report loader and the Results view', async () => {
    const expected = sampleRunSummary().initialWeights;
    expect(expected).toBe('pretrained');
    const stored = readRun(oldRun).summary as unknown as Record<string, unknown>;
    expect(stored.initialWeights).toBe(expected);
    expect('trainFrom' in stored).toBe(false);
    expect((await readRunForReport(oldRun)).summary.initialWeights).toBe(expected);
    expect(readSummary(oldRun).initialWeights).toBe(expected);
  });

  it('keeps a current summary as it is and still refuses a summary without either field', () => {
    const current = sampleRunSummary();
    expect(upgradeRunSummary(current)).toBe(current);
    const { initialWeights: _w, ...neither } = current;
    expect(() => parseRunSummary(neither)).toThrow(/initialWeights/);
  });
});
