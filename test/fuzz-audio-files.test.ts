/** The short form of fuzz/audio-files.fuzz.ts (~60 broken WAV/FLAC files): no case may fail. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { fuzz } from '../fuzz/audio-files.fuzz';

it('broken audio files: each is a clean decode or an AudioDecodeError naming it; the index lists them all', async () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-fuzz-audio-'));
  try {
    const r = await fuzz({ long: false, seed: 1, workDir, log: () => {} });
    expect(r.tried).toBeGreaterThanOrEqual(60);
    expect(r.failures).toEqual([]);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
});
