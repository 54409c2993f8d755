import fs from 'node:fs';
import path from 'node:path';
import wavefile from 'wavefile';
import { TARGET_RATE } from '../../audio/resample';

/** A short real 16-bit WAV (a tone) for tests that need files following a corpus' naming. */
export function writeTestWav(
  file: string,
  opts: { seconds?: number; sampleRate?: number; channels?: number; freq?: number } = {},
): void {
  const { seconds = 0.25, sampleRate = TARGET_RATE, channels = 1, freq = 220 } = opts;
  const n = Math.round(seconds * sampleRate);
  const chans = Array.from({ length: channels }, () => {
    const x = new Int16Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / sampleRate));
    return x;
  });
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels, sampleRate, '16', channels === 1 ? chans[0] : chans);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, wav.toBuffer());
}

/** Writes each relative path under root as a small WAV; returns the root. */
export function writeTree(root: string, ids: string[], opts?: Parameters<typeof writeTestWav>[1]): string {
  for (const id of ids) writeTestWav(path.join(root, id), opts);
  return root;
}

/** Every file under a folder with its size and mtime, to prove a folder was not written to. */
export function snapshotTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else {
        const s = fs.statSync(full);
        out.push(`${path.relative(root, full)} ${s.size} ${s.mtimeMs}`);
      }
    }
  };
  walk(root);
  return out;
}
