/** The short version of `npm run fuzz -- --only server-paths` (the long one sends 1,300 probes). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzz } from '../fuzz/server-paths.fuzz';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-fuzz-srv-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('server path probes (short)', () => {
  it('answers no probe for a path outside the permitted folders, and never with a 5xx', async () => {
    const result = await fuzz({ long: false, seed: 1, workDir, log: () => undefined });
    expect(result.name).toBe('server-paths');
    expect(result.tried).toBeGreaterThan(200);
    expect(result.failures).toEqual([]);
  });
});
