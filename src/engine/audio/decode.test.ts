import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import wavefile from 'wavefile';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../util/paths';
import { FileError } from '../util/errors';
import { AudioDecodeError, decodeAudio, decodeAudioBytes, loadMono16k, readAudioInfo } from '.';
import { mulberry32 } from '../util/random';
import { hasTool, tempDir, writeWav } from './test-helpers';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const RATE = 8000;
const FRAMES = 1000;

/** Per bit depth: the raw value of a normalised sample x, and the decoder's expected output. */
const KINDS: { depth: string; raw: (x: number) => number; tol: number }[] = [
  { depth: '8', raw: (x) => Math.round(x * 127) + 128, tol: 0 },
  { depth: '16', raw: (x) => Math.round(x * 32767), tol: 0 },
  { depth: '24', raw: (x) => Math.round(x * 8388607), tol: 0 },
  { depth: '32', raw: (x) => Math.round(x * 2147483647), tol: 0 },
  { depth: '32f', raw: (x) => Math.fround(x), tol: 0 },
  { depth: '64', raw: (x) => x, tol: 0 },
];
const SCALE: Record<string, (r: number) => number> = {
  '8': (r) => (r - 128) / 128,
  '16': (r) => r / 32768,
  '24': (r) => r / 8388608,
  '32': (r) => r / 2147483648,
  '32f': (r) => r,
  '64': (r) => r,
};

function signal(channel: number, i: number): number {
  return 0.9 * Math.sin((2 * Math.PI * (220 + 110 * channel) * i) / RATE) * (i % 7 === 0 ? -1 : 1);
}

describe('decodeAudio: every WAV kind', () => {
  for (const kind of KINDS) {
    for (const channels of [1, 2, 6]) {
      it(`${kind.depth}-bit ${kind.depth.endsWith('f') || kind.depth === '64' ? 'float' : 'PCM'}, ${channels} ch`, async () => {
        const raw = Array.from({ length: channels }, (_, c) =>
          Array.from({ length: FRAMES }, (_, i) => kind.raw(signal(c, i))),
        );
        const file = path.join(dir, `k${kind.depth}-${channels}.wav`);
        writeWav(file, RATE, kind.depth, raw);
        const audio = await decodeAudio(file);
        expect(audio).toMatchObject({ sampleRate: RATE, channels, format: 'wav' });
        expect(audio.samples.length).toBe(FRAMES);
        expect(audio.durationSec).toBeCloseTo(FRAMES / RATE, 12);
        for (let i = 0; i < FRAMES; i++) {
          let mean = 0;
          for (let c = 0; c < channels; c++) mean += SCALE[kind.depth](raw[c][i]);
          mean /= channels;
          expect(Math.abs(audio.samples[i] - mean)).toBeLessThanOrEqual(1e-7);
        }
        const info = await readAudioInfo(file);
        expect(info).toMatchObject({ format: 'wav', sampleRate: RATE, channels, frames: FRAMES });
        expect(info.sampleType).toBe(kind.depth === '32f' || kind.depth === '64' ? 'float' : 'int');
      });
    }
  }

  it('reads WAVE_FORMAT_EXTENSIBLE, 6 ch 24-bit (wavefile writes the 40-byte fmt; the tag is set here)', async () => {
    const bytes = Buffer.from(fs.readFileSync(path.join(dir, 'k24-6.wav')));
    expect(bytes.readUInt32LE(16)).toBe(40);
    bytes.writeUInt16LE(0xfffe, 20);
    const plain = await decodeAudio(path.join(dir, 'k24-6.wav'));
    const ext = await decodeAudioBytes('ext6.wav', bytes);
    expect(ext.channels).toBe(6);
    expect(Array.from(ext.samples)).toEqual(Array.from(plain.samples));
  });

  it('reads WAVE_FORMAT_EXTENSIBLE mono 16-bit (tag patched in by hand, 40-byte fmt)', async () => {
    const x = Int16Array.from({ length: 500 }, (_, i) => ((i * 97) % 30000) - 15000);
    const fmt = Buffer.alloc(40);
    fmt.writeUInt16LE(0xfffe, 0);
    fmt.writeUInt16LE(1, 2);
    fmt.writeUInt32LE(16000, 4);
    fmt.writeUInt32LE(32000, 8);
    fmt.writeUInt16LE(2, 12);
    fmt.writeUInt16LE(16, 14);
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(16, 18);
    fmt.writeUInt32LE(4, 20);
    Buffer.from('0100000000001000800000aa00389b71', 'hex').copy(fmt, 24); // KSDATAFORMAT_SUBTYPE_PCM
    const data = Buffer.from(x.buffer);
    const riff = Buffer.concat([
      Buffer.from('RIFF'),
      u32(4 + 8 + 40 + 8 + data.length),
      Buffer.from('WAVEfmt '),
      u32(40),
      fmt,
      Buffer.from('data'),
      u32(data.length),
      data,
    ]);
    const audio = await decodeAudioBytes('ext.wav', riff);
    expect(Array.from(audio.samples.slice(0, 5))).toEqual(Array.from(x.slice(0, 5), (v) => v / 32768));
  });

  it('skips unknown chunks before fmt and data (LIST, odd-sized padding)', async () => {
    const x = Int16Array.from([1000, -2000, 3000]);
    const data = Buffer.from(x.buffer);
    const fmt = Buffer.alloc(16);
    fmt.writeUInt16LE(1, 0);
    fmt.writeUInt16LE(1, 2);
    fmt.writeUInt32LE(16000, 4);
    fmt.writeUInt32LE(32000, 8);
    fmt.writeUInt16LE(2, 12);
    fmt.writeUInt16LE(16, 14);
    const junk = Buffer.from('abc'); // odd: one pad byte follows
    const body = Buffer.concat([
      Buffer.from('WAVE'),
      Buffer.from('LIST'),
      u32(3),
      junk,
      Buffer.alloc(1),
      Buffer.from('fmt '),
      u32(16),
      fmt,
      Buffer.from('data'),
      u32(data.length),
      data,
    ]);
    const audio = await decodeAudioBytes(
      'list.wav',
      Buffer.concat([Buffer.from('RIFF'), u32(body.length), body]),
    );
    expect(Array.from(audio.samples)).toEqual([1000 / 32768, -2000 / 32768, 3000 / 32768]);
  });

  it('decodes bytes that sit at an odd offset in memory (unaligned typed-array views)', async () => {
    for (const name of ['k16-2.wav', 'k32-1.wav', 'k32f-2.wav', 'k64-1.wav', 'k24-1.wav']) {
      const bytes = fs.readFileSync(path.join(dir, name));
      const backing = new Uint8Array(bytes.length + 1);
      backing.set(bytes, 1);
      const odd = backing.subarray(1);
      const [a, b] = [await decodeAudioBytes(name, bytes), await decodeAudioBytes(name, odd)];
      expect(Array.from(b.samples)).toEqual(Array.from(a.samples));
    }
  });

  for (const law of ['ALaw', 'MuLaw'] as const) {
    it(`decodes G.711 ${law} as wavefile does`, async () => {
      const x = Int16Array.from({ length: 2000 }, (_, i) => Math.round(20000 * Math.sin(i / 9)));
      const wav = new wavefile.WaveFile();
      wav.fromScratch(1, 8000, '16', x);
      wav[`to${law}`]();
      const bytes = wav.toBuffer();
      const audio = await decodeAudioBytes(`${law}.wav`, bytes);
      const ref = new wavefile.WaveFile(bytes);
      ref[`from${law}`]('16');
      const expected = ref.getSamples(false, Float64Array) as unknown as Float64Array;
      expect(audio.samples.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) expect(audio.samples[i]).toBeCloseTo(expected[i] / 32768, 6);
    });
  }

  it('decodes IMA ADPCM through wavefile', async () => {
    const x = Int16Array.from({ length: 4000 }, (_, i) => Math.round(10000 * Math.sin(i / 20)));
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 8000, '16', x);
    wav.toIMAADPCM();
    const bytes = wav.toBuffer();
    const audio = await decodeAudioBytes('adpcm.wav', bytes);
    const ref = new wavefile.WaveFile(bytes);
    ref.fromIMAADPCM();
    const expected = ref.getSamples(false, Float64Array) as unknown as Float64Array;
    expect(audio.samples.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) expect(audio.samples[i]).toBeCloseTo(expected[i] / 32768, 6);
    expect(await readAudioInfo(writeTemp('adpcm.wav', bytes))).toMatchObject({
      sampleRate: 8000,
      channels: 1,
    });
  });

  it('readAudioInfo reads only the header: a 1.5 GB sparse WAV answers at once', async () => {
    const file = path.join(dir, 'huge.wav');
    const header = fs.readFileSync(path.join(dir, 'k16-2.wav')).subarray(0, 44);
    const dataBytes = 1_500_000_000;
    const h = Buffer.from(header);
    h.writeUInt32LE(36 + dataBytes, 4);
    h.writeUInt32LE(dataBytes, 40);
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, h);
    fs.ftruncateSync(fd, 44 + dataBytes);
    fs.closeSync(fd);
    const before = process.memoryUsage().rss;
    const info = await readAudioInfo(file);
    expect(info).toMatchObject({ format: 'wav', channels: 2, sampleRate: RATE, frames: dataBytes / 4 });
    expect(info.durationSec).toBeCloseTo(dataBytes / 4 / RATE, 6);
    expect(process.memoryUsage().rss - before).toBeLessThan(100_000_000);
    fs.rmSync(file);
  });

  it('reads the RAVDESS subset: 48 kHz mono, durations from the header match the samples', async () => {
    const file = path.join(sharedDir(), 'data', 'ravdess', 'Actor_01', '03-01-01-01-01-01-01.wav');
    const info = await readAudioInfo(file);
    const audio = await decodeAudio(file);
    expect(info).toMatchObject({ format: 'wav', sampleRate: 48000, channels: 1, bitsPerSample: 16 });
    expect(audio.samples.length).toBe(info.frames);
    const x16 = await loadMono16k(file);
    expect(x16.length).toBe(Math.ceil(info.frames / 3));
  });
});

function writeTemp(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v, 0);
  return b;
}

const haveSox = hasTool('sox');

describe.skipIf(!haveSox)('decodeAudio: FLAC (written with sox)', () => {
  const cases = [
    { bits: 16, channels: 1, rate: 16000 },
    { bits: 16, channels: 2, rate: 44100 },
    { bits: 24, channels: 1, rate: 48000 },
    { bits: 8, channels: 3, rate: 22050 },
    { bits: 16, channels: 1, rate: 48000, frames: 166567 }, // RAVDESS-length: 40 frames and a partial one
  ];
  for (const c of cases) {
    it(`${c.bits}-bit, ${c.channels} ch, ${c.rate} Hz is lossless against the WAV it came from`, async () => {
      const depth = String(c.bits);
      const full = { 8: 127, 16: 32767, 24: 8388607 }[c.bits]!;
      const raw = Array.from({ length: c.channels }, (_, ch) =>
        Array.from(
          { length: c.frames ?? 3000 },
          (_, i) => Math.round(full * signal(ch, i) * 0.8) + (c.bits === 8 ? 128 : 0),
        ),
      );
      const wavFile = path.join(dir, `f${c.bits}-${c.channels}-${c.rate}.wav`);
      const flacFile = path.join(dir, `f${c.bits}-${c.channels}-${c.rate}.flac`);
      writeWav(wavFile, c.rate, depth, raw);
      execFileSync('sox', [wavFile, flacFile]);
      const [wav, flac] = [await decodeAudio(wavFile), await decodeAudio(flacFile)];
      expect(flac).toMatchObject({ format: 'flac', sampleRate: c.rate, channels: c.channels });
      expect(flac.samples.length).toBe(wav.samples.length);
      let maxDiff = 0;
      for (let i = 0; i < wav.samples.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(flac.samples[i] - wav.samples[i]));
      expect(maxDiff).toBeLessThan(1e-6);
      const info = await readAudioInfo(flacFile);
      expect(info).toMatchObject({
        format: 'flac',
        sampleRate: c.rate,
        channels: c.channels,
        bitsPerSample: c.bits,
        frames: c.frames ?? 3000,
      });
    });
  }
});

describe('decodeAudio: broken input raises AudioDecodeError naming the file', () => {
  async function expectDecodeError(file: string, problem: RegExp) {
    const err = await decodeAudio(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AudioDecodeError);
    expect(err).toBeInstanceOf(FileError);
    expect((err as AudioDecodeError).file).toBe(file);
    expect((err as AudioDecodeError).problem).toMatch(problem);
    expect((err as Error).message).toContain(file);
  }

  it('missing, empty, directory, text', async () => {
    await expectDecodeError(path.join(dir, 'nope.wav'), /no such file/);
    fs.writeFileSync(path.join(dir, 'empty.wav'), '');
    await expectDecodeError(path.join(dir, 'empty.wav'), /empty/);
    await expectDecodeError(dir, /directory/);
    fs.writeFileSync(path.join(dir, 'text.wav'), 'this is not audio at all\n');
    await expectDecodeError(path.join(dir, 'text.wav'), /not a WAV or FLAC/);
    await expect(readAudioInfo(path.join(dir, 'text.wav'))).rejects.toBeInstanceOf(AudioDecodeError);
    await expect(readAudioInfo(path.join(dir, 'empty.wav'))).rejects.toBeInstanceOf(AudioDecodeError);
  });

  it('truncated WAV: error by default, the samples present with allowTruncated', async () => {
    const whole = fs.readFileSync(path.join(dir, 'k16-2.wav'));
    const cut = path.join(dir, 'cut.wav');
    fs.writeFileSync(cut, whole.subarray(0, 44 + 1001));
    await expectDecodeError(cut, /truncated/);
    await expect(readAudioInfo(cut)).rejects.toThrow(/truncated/);
    const partial = await decodeAudio(cut, { allowTruncated: true });
    expect(partial.samples.length).toBe(250); // 1001 bytes of 4-byte frames
    fs.writeFileSync(cut, whole.subarray(0, 30));
    await expectDecodeError(cut, /fmt chunk|too short|no fmt/);
  });

  it('unsupported encodings name what is wrong', async () => {
    const bytes = Buffer.from(fs.readFileSync(path.join(dir, 'k16-1.wav')));
    bytes.writeUInt16LE(0x0002, 20); // MS ADPCM
    const file = path.join(dir, 'msadpcm.wav');
    fs.writeFileSync(file, bytes);
    await expectDecodeError(file, /format tag 0x2/);
    const rifx = Buffer.from(bytes);
    rifx.write('RIFX', 0, 'latin1');
    fs.writeFileSync(file, rifx);
    await expectDecodeError(file, /RIFX/);
  });

  it.skipIf(!haveSox)('truncated FLAC is an error', async () => {
    // Long enough for several FLAC frames (4096 samples each), so the cut leaves whole frames.
    const raw = Int16Array.from({ length: 40000 }, (_, i) =>
      Math.round(12000 * Math.sin(i / 7) + 3000 * Math.sin(i / 3.1)),
    );
    const wavFile = writeTemp('long.wav', new Uint8Array(0));
    writeWav(wavFile, 16000, '16', [raw]);
    execFileSync('sox', [wavFile, path.join(dir, 'long.flac')]);
    const whole = fs.readFileSync(path.join(dir, 'long.flac'));
    const cut = path.join(dir, 'cut.flac');
    const full = await decodeAudio(path.join(dir, 'long.flac'));
    expect(full.samples.length).toBe(40000); // 9 whole 4096-sample frames and a partial last one
    for (const frac of [0.05, 0.6, 0.97]) {
      fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * frac)));
      await expectDecodeError(cut, /truncated|corrupt/);
    }
    fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const partial = await decodeAudio(cut, { allowTruncated: true });
    expect(partial.samples.length).toBeGreaterThan(4096);
    expect(partial.samples.length).toBeLessThan(40000);
  });
});

describe('decodeAudio: fuzz (seeded) — only AudioDecodeError, never a hang or other error', () => {
  async function outcome(name: string, bytes: Uint8Array): Promise<'ok' | 'typed'> {
    try {
      await decodeAudioBytes(name, bytes);
      return 'ok';
    } catch (err) {
      if (err instanceof AudioDecodeError && err.file === name) return 'typed';
      throw err;
    }
  }

  it('every truncation of a WAV and a FLAC is rejected with the typed error', async () => {
    const rand = mulberry32(1);
    const sources = [fs.readFileSync(path.join(dir, 'k24-2.wav'))];
    if (haveSox) sources.push(fs.readFileSync(path.join(dir, 'f16-2-44100.flac')));
    for (const src of sources) {
      for (let i = 0; i < 120; i++) {
        const len = i < 20 ? i : Math.floor(rand() * (src.length - 1));
        expect(await outcome(`cut-${len}`, src.subarray(0, len))).toBe('typed');
      }
    }
  });

  it('random bytes, with and without a WAV/FLAC magic, and corrupted headers', async () => {
    const rand = mulberry32(2);
    const wav = fs.readFileSync(path.join(dir, 'k16-1.wav'));
    const flac = haveSox ? fs.readFileSync(path.join(dir, 'f16-1-16000.flac')) : null;
    const counts = { ok: 0, typed: 0 };
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(rand() * 4096);
      const bytes = Uint8Array.from({ length: len }, () => Math.floor(rand() * 256));
      const mode = i % 4;
      if (mode === 1 && len >= 12) bytes.set(Buffer.from('RIFF\0\0\0\0WAVE'), 0);
      if (mode === 2 && len >= 4) bytes.set(Buffer.from('fLaC'), 0);
      let input: Uint8Array = bytes;
      if (mode === 3) {
        // A real file with a few header or body bytes flipped.
        const src = Uint8Array.from(flac && i % 8 === 3 ? flac : wav);
        for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
          const at = Math.floor(rand() * Math.min(src.length, rand() < 0.7 ? 128 : src.length));
          src[at] = Math.floor(rand() * 256);
        }
        input = src;
      }
      counts[await outcome(`fuzz-${i}`, input)]++;
    }
    expect(counts.typed).toBeGreaterThan(200);
  });
});
