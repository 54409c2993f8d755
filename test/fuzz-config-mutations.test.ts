/** The short version of `npm run fuzz -- --only config-mutations` (the long one tries 400+). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzz } from '../fuzz/config-mutations.fuzz';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-fuzz-cfg-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('config mutations (short)', () => {
  it('accepts each mutated config as written or refuses it naming the field, writing nothing', async () => {
    const result = await fuzz({ long: false, seed: 1, workDir, log: () => undefined });
    expect(result.name).toBe('config-mutations');
    expect(result.tried).toBeGreaterThan(50);
    expect(result.failures).toEqual([]);
  });
});
