/**
 * Front-end throughput on the RAVDESS subset (64 files, 48 kHz 16-bit mono): decode, resample
 * to 16 kHz, log-mel patches, as multiples of real time on one core (Node runs this on one
 * thread), for each resampler, plus the feature-cache read path and peak RSS.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeAudioBytes, RESAMPLE_METHODS, resample, type ResampleMethod } from '../src/engine/audio';
import { FeatureCache } from '../src/engine/features/cache';
import { waveformToPatches } from '../src/engine/features/logmel';
import { sharedDir } from '../src/engine/util/paths';
import type { BenchRow } from './types';

const GROUP = 'frontend';

function ravdessFiles(): string[] {
  const root = path.join(sharedDir(), 'data', 'ravdess');
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => path.join(root, f));
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Best of `repeats` runs of fn, as CPU time (ms) of this single-threaded process: on a shared
 * machine wall time mostly measures the neighbours, CPU time measures the code on one core.
 */
async function bestMs(repeats: number, fn: () => Promise<void>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = cpuMs();
    await fn();
    best = Math.min(best, cpuMs() - t);
  }
  return best;
}

/**
 * The NumPy/SciPy reference (shared/reference/numpy/frontend_time.py: the same front end,
 * vectorised float32, one thread) over the same folder in the same run, beside the workbench's
 * polyphase pipeline; both are CPU time of one thread, best of 3.
 */
function numpyRows(folder: string, pipelineMs: number, audioSec: number): BenchRow[] {
  const script = path.join(sharedDir(), 'reference', 'numpy', 'frontend_time.py');
  const skip = (note: string): BenchRow[] => [
    { group: GROUP, name: 'NumPy/SciPy reference: skipped', value: NaN, unit: '-', note },
  ];
  if (!fs.existsSync(script)) return skip(`${script} missing`);
  let doc: { timesRealTime: number; files: number; cpuSeconds: number };
  try {
    const out = execFileSync('/usr/bin/python3', [script, folder, '--repeat', '3'], {
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    doc = JSON.parse(out.slice(out.indexOf('{')));
  } catch (err) {
    return skip(`python3-numpy/scipy not usable: ${(err as Error).message.split('\n')[0]}`);
  }
  const ours = (audioSec * 1000) / pipelineMs;
  return [
    {
      group: GROUP,
      name: 'NumPy/SciPy reference pipeline (same files, same run)',
      value: doc.timesRealTime,
      unit: '× real time',
      note: `${doc.files} files, CPU ${doc.cpuSeconds.toFixed(2)} s, one thread`,
    },
    {
      group: GROUP,
      name: 'workbench pipeline (polyphase) / NumPy reference',
      value: ours / doc.timesRealTime,
      unit: 'x',
      note: '> 1: workbench faster',
    },
  ];
}

/** FLAC decoding of Actor_01's 16 files, converted with sox (skipped without it). */
async function flacRows(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-flac-'));
  try {
    const wavs = ravdessFiles().filter((f) => f.includes('Actor_01'));
    const flacs = wavs.map((f) => path.join(dir, path.basename(f, '.wav') + '.flac'));
    try {
      wavs.forEach((w, i) => execFileSync('sox', [w, flacs[i]], { stdio: 'ignore' }));
    } catch {
      return [];
    }
    const bytes = flacs.map((f) => fs.readFileSync(f));
    let seconds = 0;
    for (let i = 0; i < flacs.length; i++)
      seconds += (await decodeAudioBytes(flacs[i], bytes[i])).durationSec;
    const ms = await bestMs(3, async () => {
      for (let i = 0; i < flacs.length; i++) await decodeAudioBytes(flacs[i], bytes[i]);
    });
    const note = `${flacs.length} RAVDESS files as FLAC (sox), ${seconds.toFixed(1)} s`;
    return [
      {
        group: GROUP,
        name: 'decode (FLAC → mono float)',
        value: (seconds * 1000) / ms,
        unit: '× real time',
        note,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function bench(): Promise<BenchRow[]> {
  const files = ravdessFiles();
  const bytes = files.map((f) => fs.readFileSync(f));
  const decoded = await Promise.all(files.map((f, i) => decodeAudioBytes(f, bytes[i])));
  const audioSec = decoded.reduce((s, a) => s + a.durationSec, 0);
  const note = `${files.length} RAVDESS files, ${audioSec.toFixed(1)} s of 48 kHz audio`;
  const rows: BenchRow[] = [];
  // Timings are CPU time of this one thread (see bestMs); the wall-clock pipeline row is last.
  const xrt = (name: string, ms: number, extra?: string) =>
    rows.push({
      group: GROUP,
      name,
      value: (audioSec * 1000) / ms,
      unit: '× real time',
      note: extra ?? note,
    });

  const decodeMs = await bestMs(3, async () => {
    for (let i = 0; i < files.length; i++) await decodeAudioBytes(files[i], bytes[i]);
  });
  xrt('decode (WAV → mono float)', decodeMs);

  const x16 = await Promise.all(decoded.map((a) => resample(a.samples, a.sampleRate)));
  const logmelMs = await bestMs(3, async () => {
    for (const x of x16) waveformToPatches(x);
  });
  xrt('log-mel patches (16 kHz → [n,96,64])', logmelMs);

  for (const method of RESAMPLE_METHODS) {
    // libsamplerate's sinc-best is slow: one pass is plenty to rank it.
    const repeats = method === 'polyphase' ? 3 : 1;
    const ms = await bestMs(repeats, async () => {
      for (const a of decoded) await resample(a.samples, a.sampleRate, 16000, method as ResampleMethod);
    });
    xrt(`resample 48→16 kHz: ${method}`, ms);
  }

  let pipelineMs = NaN;
  for (const method of ['polyphase', 'sinc-medium'] as ResampleMethod[]) {
    const ms = await bestMs(method === 'polyphase' ? 3 : 1, async () => {
      for (let i = 0; i < files.length; i++) {
        const a = await decodeAudioBytes(files[i], bytes[i]);
        waveformToPatches(await resample(a.samples, a.sampleRate, 16000, method));
      }
    });
    if (method === 'polyphase') pipelineMs = ms;
    xrt(`pipeline decode+resample+log-mel (${method})`, ms);
  }

  const wallStart = performance.now();
  for (let i = 0; i < files.length; i++) {
    const a = await decodeAudioBytes(files[i], bytes[i]);
    waveformToPatches(await resample(a.samples, a.sampleRate));
  }
  xrt(
    'pipeline (polyphase), wall clock',
    performance.now() - wallStart,
    'wall time: depends on machine load',
  );

  rows.push(...numpyRows(path.join(sharedDir(), 'data', 'ravdess'), pipelineMs, audioSec));
  rows.push(...(await flacRows()));

  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-cache-'));
  try {
    const cache = new FeatureCache({ dir: cacheDir });
    const missMs = await bestMs(1, async () => {
      for (const f of files) await cache.get(f);
    });
    xrt('feature cache: first run (read+hash+compute+write)', missMs);
    const hitMs = await bestMs(3, async () => {
      for (const f of files) await cache.get(f);
    });
    xrt('feature cache: second run (read+hash+verify)', hitMs);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }

  rows.push({
    group: GROUP,
    name: 'peak RSS of the process',
    value: process.resourceUsage().maxRSS / 1024,
    unit: 'MiB',
    note: 'whole process, includes everything loaded before this benchmark',
  });
  return rows;
}
