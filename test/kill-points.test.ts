/**
 * The short form of fuzz/kill-points.fuzz.ts (the long one, 50 points, runs in `npm run fuzz`):
 * SIGKILL of a real run while it builds the activation cache, while it writes a checkpoint and
 * while it writes summary.json; each resumed run equals the uninterrupted one, with status done
 * and no temp file or claim left behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzz } from '../fuzz/kill-points.fuzz';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-kill-points-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('kill -9 at seeded points, then resume', () => {
  it('gives the uninterrupted results at 3 points (cache, checkpoint, summary)', async () => {
    const lines: string[] = [];
    const r = await fuzz({ long: false, seed: 1, workDir, log: (l) => lines.push(l) });
    expect(r.failures).toEqual([]);
    expect(r.tried).toBe(3);
    // Each point really killed the run (none finished before its point).
    expect(lines.filter((l) => l.includes(': killed;'))).toHaveLength(3);
  }, 1_500_000);
});
