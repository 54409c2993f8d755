/** Helpers for the audio tests: temp dirs, WAV writing via wavefile, tool detection. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import wavefile from 'wavefile';

export function tempDir(prefix = 'ser-audio-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a WAV with wavefile; `channels[c][i]` are raw values in the bit depth's own scale. */
export function writeWav(
  file: string,
  rate: number,
  bitDepth: string,
  channels: ArrayLike<number>[],
): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels.length, rate, bitDepth, channels.length === 1 ? channels[0] : channels);
  const bytes = wav.toBuffer();
  fs.writeFileSync(file, bytes);
  return bytes;
}

export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
