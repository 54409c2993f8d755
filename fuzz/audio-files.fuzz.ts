/**
 * Broken audio files (issue 17, item 9): a seeded generator of damaged WAV and FLAC files (NaN and
 * Inf samples, huge header sizes, wrong sizes, truncation, odd and unknown chunks, flipped bytes,
 * zeroed format fields), each fed to the header reader, the decoder and the indexer. The only
 * acceptable outcomes are a clean decode (finite samples, a positive rate) or an AudioDecodeError
 * naming the file; the index must finish and either keep or list every file. Anything else (a
 * TypeError, a RangeError, a hang, an unlisted file) is a failure.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import wavefile from 'wavefile';
import { AudioDecodeError, decodeAudio, readAudioInfo } from '../src/engine/audio';
import { indexCorpus } from '../src/engine/corpora';
import { deriveSeed, mulberry32, type Random } from '../src/engine/util/random';
import type { FuzzOptions, FuzzResult } from './types';

/** A decode that takes longer than this is counted as a hang. */
const HANG_MS = 20_000;

interface Base {
  name: string;
  bytes: Uint8Array;
  kind: 'wav' | 'flac';
  float: boolean;
  /** Offset of the first sample byte and bytes per sample (WAV only). */
  dataOffset: number;
  sampleBytes: number;
}

const WAV_KINDS: { depth: string; bytes: number; float: boolean; scale: number }[] = [
  { depth: '8', bytes: 1, float: false, scale: 127 },
  { depth: '16', bytes: 2, float: false, scale: 32767 },
  { depth: '24', bytes: 3, float: false, scale: 8388607 },
  { depth: '32', bytes: 4, float: false, scale: 2147483647 },
  { depth: '32f', bytes: 4, float: true, scale: 1 },
  { depth: '64', bytes: 8, float: true, scale: 1 },
];

function dataOffsetOf(bytes: Uint8Array): number {
  for (let i = 12; i + 8 <= bytes.length; i++) {
    if (bytes[i] === 0x64 && bytes[i + 1] === 0x61 && bytes[i + 2] === 0x74 && bytes[i + 3] === 0x61)
      return i + 8;
  }
  return 44;
}

/** Valid files of every WAV sample kind (mono and stereo, several rates) and FLAC via `flac`. */
function makeBases(dir: string, rnd: Random): Base[] {
  const bases: Base[] = [];
  const rates = [8000, 16000, 22050, 44100];
  for (const k of WAV_KINDS) {
    for (const channels of [1, 2]) {
      const rate = rates[Math.floor(rnd() * rates.length)];
      const n = Math.floor(rate * (0.05 + rnd() * 0.3));
      const chans = Array.from({ length: channels }, (_, c) =>
        Array.from({ length: n }, (_, i) => {
          const x = 0.5 * Math.sin((2 * Math.PI * (200 + 100 * c) * i) / rate);
          return k.float ? x : Math.round(x * k.scale) + (k.depth === '8' ? 128 : 0);
        }),
      );
      const wav = new wavefile.WaveFile();
      wav.fromScratch(channels, rate, k.depth, channels === 1 ? chans[0] : chans);
      const bytes = wav.toBuffer();
      bases.push({
        name: `wav${k.depth}-${channels}ch`,
        bytes,
        kind: 'wav',
        float: k.float,
        dataOffset: dataOffsetOf(bytes),
        sampleBytes: k.bytes,
      });
    }
  }
  // FLAC from the 16-bit bases, with Debian's encoder (skipped if it is missing).
  for (const b of bases.filter((x) => x.name.startsWith('wav16-'))) {
    const wavFile = path.join(dir, `${b.name}.wav`);
    const flacFile = path.join(dir, `${b.name}.flac`);
    fs.writeFileSync(wavFile, b.bytes);
    try {
      execFileSync('flac', ['-s', '-f', '-o', flacFile, wavFile], { stdio: 'ignore' });
      bases.push({
        name: b.name.replace('wav', 'flac'),
        bytes: fs.readFileSync(flacFile),
        kind: 'flac',
        float: false,
        dataOffset: 0,
        sampleBytes: 0,
      });
    } catch {
      // no flac encoder: WAV cases only
    }
  }
  return bases;
}

type Mutation = (b: Base, rnd: Random) => { bytes: Uint8Array; what: string };

const u32 = (bytes: Uint8Array, at: number, v: number) => {
  if (at + 4 <= bytes.length) new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, v >>> 0, true);
};
const u16 = (bytes: Uint8Array, at: number, v: number) => {
  if (at + 2 <= bytes.length) new DataView(bytes.buffer, bytes.byteOffset).setUint16(at, v, true);
};
const pick = <T>(rnd: Random, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const copy = (b: Base) => new Uint8Array(b.bytes);

/** Puts NaN/Inf bit patterns into float samples (in integer files they are just loud samples). */
const nonFinite: Mutation = (b, rnd) => {
  const bytes = copy(b);
  const view = new DataView(bytes.buffer);
  const count = 1 + Math.floor(rnd() * 5);
  const values = [NaN, Infinity, -Infinity];
  const frames = Math.floor((bytes.length - b.dataOffset) / Math.max(1, b.sampleBytes));
  const at: number[] = [];
  for (let i = 0; i < count && b.sampleBytes >= 4; i++) {
    const s = Math.floor(rnd() * frames);
    const off = b.dataOffset + s * b.sampleBytes;
    if (off + b.sampleBytes > bytes.length) continue;
    const v = pick(rnd, values);
    if (b.sampleBytes === 8) view.setFloat64(off, v, true);
    else view.setFloat32(off, v, true);
    at.push(s);
  }
  return { bytes, what: `non-finite at samples ${at.join(',')}` };
};

const truncate: Mutation = (b, rnd) => {
  const len = Math.floor(rnd() ** 2 * b.bytes.length);
  return { bytes: b.bytes.slice(0, len), what: `truncated to ${len} of ${b.bytes.length} bytes` };
};

const flipBytes: Mutation = (b, rnd) => {
  const bytes = copy(b);
  const n = 1 + Math.floor(rnd() * 8);
  // Mostly in the header, where one byte changes the meaning of everything after it.
  const span = rnd() < 0.7 ? Math.min(bytes.length, 64) : bytes.length;
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = Math.floor(rnd() * span);
    bytes[p] ^= 1 + Math.floor(rnd() * 255);
    at.push(p);
  }
  return { bytes, what: `flipped bytes at ${at.join(',')}` };
};

const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 2 ** 31 + 7];

const hugeHeader: Mutation = (b, rnd) => {
  const bytes = copy(b);
  if (b.kind === 'flac') {
    // A metadata block length of 2^24-1 (STREAMINFO's or a later block's).
    const at = pick(rnd, [5, 6, 7]);
    bytes[at] = 0xff;
    return { bytes, what: `FLAC metadata length byte ${at} = 0xff` };
  }
  const field = pick(rnd, ['riff', 'fmt', 'data', 'rate', 'channels', 'bits', 'align']);
  const v = pick(rnd, HUGE);
  if (field === 'riff') u32(bytes, 4, v);
  else if (field === 'fmt') u32(bytes, 16, v);
  else if (field === 'data') u32(bytes, b.dataOffset - 4, v);
  else if (field === 'rate') u32(bytes, 24, v);
  else if (field === 'channels') u16(bytes, 22, 0xffff);
  else if (field === 'bits') u16(bytes, 34, 0xffff);
  else u16(bytes, 32, 0xffff);
  return { bytes, what: `huge ${field} field` };
};

const wrongSize: Mutation = (b, rnd) => {
  const bytes = copy(b);
  if (b.kind === 'flac') {
    // Total samples in STREAMINFO (bytes 21..25) set to something else.
    for (let i = 22; i < 26 && i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
    return { bytes, what: 'FLAC total-samples changed' };
  }
  const field = pick(rnd, [
    'data-small',
    'data-odd',
    'riff-small',
    'zero-rate',
    'zero-channels',
    'zero-align',
    'zero-bits',
  ]);
  const dataSize = bytes.length - b.dataOffset;
  if (field === 'data-small') u32(bytes, b.dataOffset - 4, Math.floor(rnd() * dataSize));
  else if (field === 'data-odd') u32(bytes, b.dataOffset - 4, dataSize - 1 - Math.floor(rnd() * 3));
  else if (field === 'riff-small') u32(bytes, 4, Math.floor(rnd() * 40));
  else if (field === 'zero-rate') u32(bytes, 24, 0);
  else if (field === 'zero-channels') u16(bytes, 22, 0);
  else if (field === 'zero-align') u16(bytes, 32, 0);
  else u16(bytes, 34, 0);
  return { bytes, what: field };
};

/** An unknown or LIST chunk (odd size, with or without its pad byte) before or after data. */
const oddChunk: Mutation = (b, rnd) => {
  if (b.kind === 'flac') {
    // A junk metadata block inserted after STREAMINFO, its "last" flag cleared or not.
    const len = Math.floor(rnd() * 40);
    const block = new Uint8Array(4 + len);
    block[0] = pick(rnd, [1, 2, 4, 6, 127]);
    block[3] = len;
    const out = new Uint8Array(b.bytes.length + block.length);
    out.set(b.bytes.subarray(0, 42));
    out.set(block, 42);
    out.set(b.bytes.subarray(42), 42 + block.length);
    return { bytes: out, what: `FLAC metadata block type ${block[0]} of ${len} bytes` };
  }
  const size = Math.floor(rnd() * 33);
  const pad = rnd() < 0.5 && size % 2 === 1 ? 1 : 0;
  const id = pick(rnd, ['LIST', 'junk', 'JUNK', 'fact', 'cue ', '\0\0\0\0', 'data', 'fmt ']);
  const chunk = new Uint8Array(8 + size + pad);
  for (let i = 0; i < 4; i++) chunk[i] = id.charCodeAt(i);
  new DataView(chunk.buffer).setUint32(4, rnd() < 0.2 ? pick(rnd, HUGE) : size, true);
  for (let i = 0; i < size; i++) chunk[8 + i] = Math.floor(rnd() * 256);
  const at = rnd() < 0.5 ? 12 : b.bytes.length;
  const out = new Uint8Array(b.bytes.length + chunk.length);
  out.set(b.bytes.subarray(0, at));
  out.set(chunk, at);
  out.set(b.bytes.subarray(at), at + chunk.length);
  u32(out, 4, out.length - 8);
  return {
    bytes: out,
    what: `chunk '${id.replace(/\0/g, '\\0')}' size ${size}${pad ? '+pad' : ''} at ${at}`,
  };
};

const garbage: Mutation = (b, rnd) => {
  const keep = pick(rnd, [0, 4, 12, 36, 44]);
  const len = keep + Math.floor(rnd() * 200);
  const out = new Uint8Array(len);
  out.set(b.bytes.subarray(0, Math.min(keep, len)));
  for (let i = keep; i < len; i++) out[i] = Math.floor(rnd() * 256);
  return { bytes: out, what: `first ${keep} bytes kept, then ${len - keep} random` };
};

const MUTATIONS: [string, Mutation][] = [
  ['nonfinite', nonFinite],
  ['truncate', truncate],
  ['flip', flipBytes],
  ['huge-header', hugeHeader],
  ['wrong-size', wrongSize],
  ['odd-chunk', oddChunk],
  ['garbage', garbage],
];

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer after ${HANG_MS} ms (${what})`)), HANG_MS);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

/** Files whose decode said "non-finite": the index must list them as skipped, never keep them. */
const nonFiniteFiles = new Set<string>();

/** Why an outcome is not acceptable, or null when it is. */
async function judge(file: string): Promise<string | null> {
  for (const [step, run] of [
    ['readAudioInfo', () => readAudioInfo(file)],
    ['decodeAudio', () => decodeAudio(file)],
    ['decodeAudio(repairNonFinite)', () => decodeAudio(file, { repairNonFinite: true })],
  ] as const) {
    try {
      const out = await withTimeout(run() as Promise<unknown>, step);
      if (step.startsWith('decodeAudio')) {
        const a = out as Awaited<ReturnType<typeof decodeAudio>>;
        if (!(a.sampleRate > 0) || a.samples.length === 0) return `${step}: clean decode without audio`;
        if (!a.samples.every(Number.isFinite)) return `${step}: decoded samples are not all finite`;
      } else {
        const i = out as Awaited<ReturnType<typeof readAudioInfo>>;
        if (!(i.sampleRate > 0) || !Number.isFinite(i.durationSec)) return `${step}: nonsense header info`;
      }
    } catch (err) {
      if (!(err instanceof AudioDecodeError))
        return `${step}: ${(err as Error)?.name}: ${(err as Error)?.message}`;
      if (!err.message.includes(file)) return `${step}: error does not name the file: ${err.message}`;
      if (step === 'decodeAudio' && err.message.includes('non-finite')) nonFiniteFiles.add(file);
    }
  }
  return null;
}

export async function fuzz(opts: FuzzOptions): Promise<FuzzResult> {
  // The index cache goes to this run's scratch folder, never the user's data folder.
  const savedHome = process.env.SER_WORKBENCH_HOME;
  process.env.SER_WORKBENCH_HOME = path.join(opts.workDir, 'home');
  try {
    return await fuzzFiles(opts);
  } finally {
    if (savedHome === undefined) delete process.env.SER_WORKBENCH_HOME;
    else process.env.SER_WORKBENCH_HOME = savedHome;
  }
}

async function fuzzFiles(opts: FuzzOptions): Promise<FuzzResult> {
  const rnd = mulberry32(deriveSeed(opts.seed, 17));
  const bases = makeBases(opts.workDir, rnd);
  const total = opts.long ? 1050 : 60;
  const failures: string[] = [];
  // Cases are written into a folder-per-class corpus, indexed once per batch.
  const batchSize = opts.long ? 150 : 60;
  let tried = 0;
  for (let start = 0; start < total; start += batchSize) {
    const corpus = path.join(opts.workDir, `corpus-${start}`);
    const cases: { file: string; what: string }[] = [];
    for (let c = start; c < Math.min(total, start + batchSize); c++) {
      const caseRnd = mulberry32(deriveSeed(opts.seed, 17, c));
      const base = pick(caseRnd, bases);
      const [mname, mutate] = pick(caseRnd, MUTATIONS);
      const { bytes, what } = mutate(base, caseRnd);
      const label = c % 2 ? 'angry' : 'sad';
      const file = path.join(corpus, label, `s${c % 5}_case${String(c).padStart(4, '0')}.${base.kind}`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, bytes);
      const desc = `case ${c} (seed ${opts.seed}): ${base.name} ${mname}: ${what}`;
      cases.push({ file, what: desc });
      const problem = await judge(file);
      tried++;
      if (problem) failures.push(`${desc}: ${problem}`);
    }
    // The index finishes, and every case is either an utterance or listed as skipped.
    try {
      const index = await withTimeout(
        indexCorpus(corpus, { corpus: 'folders', classes: ['angry', 'sad'], refresh: true }),
        'indexCorpus',
      );
      const seen = new Set([...index.utterances.map((u) => u.path), ...index.skipped.map((s) => s.path)]);
      for (const c of cases)
        if (!seen.has(c.file)) failures.push(`${c.what}: neither indexed nor listed as skipped`);
      for (const u of index.utterances)
        if (nonFiniteFiles.has(u.path)) failures.push(`${u.path}: NaN/Inf samples, yet indexed as usable`);
    } catch (err) {
      failures.push(`index of cases ${start}..: ${(err as Error)?.name}: ${(err as Error)?.message}`);
    }
    fs.rmSync(corpus, { recursive: true, force: true });
    opts.log(`audio-files: ${tried}/${total} files, ${failures.length} failures`);
  }
  return { name: 'audio-files', tried, failures };
}
