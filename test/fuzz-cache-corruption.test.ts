/** The short form of fuzz/cache-corruption.fuzz.ts (20 cases over every cache kind): no case may fail. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { fuzz } from '../fuzz/cache-corruption.fuzz';

it('damaged cache entries of every kind are detected, recomputed with identical values and rewritten', async () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-fuzz-cache-'));
  try {
    const r = await fuzz({ long: false, seed: 1, workDir, log: () => {} });
    expect(r.tried).toBeGreaterThanOrEqual(20);
    expect(r.failures).toEqual([]);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
});
