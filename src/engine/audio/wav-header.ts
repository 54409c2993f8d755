/**
 * RIFF/WAVE header parsing without touching the samples, so that `readAudioInfo` reads a few
 * bytes and `decodeAudio` knows where the samples are before converting them.
 *
 * Layout: "RIFF" <u32 size> "WAVE", then chunks <4-char id> <u32 size> <data, padded to even>.
 * The "fmt " chunk holds the format tag (1 PCM, 3 IEEE float, 6 A-law, 7 mu-law,
 * 0xFFFE WAVE_FORMAT_EXTENSIBLE whose sub-format GUID starts with the real tag), channels,
 * sample rate, block align and bits per sample; the "data" chunk holds interleaved frames.
 */

export const WAVE_FORMAT = {
  PCM: 1,
  IEEE_FLOAT: 3,
  ALAW: 6,
  MULAW: 7,
  IMA_ADPCM: 0x11,
  EXTENSIBLE: 0xfffe,
} as const;

export interface WavHeader {
  /** The effective format tag (the sub-format's tag for WAVE_FORMAT_EXTENSIBLE). */
  formatTag: number;
  extensible: boolean;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data actually present (the declared size clipped to the file). */
  dataBytes: number;
  /** True when the data chunk declares more bytes than the file holds. */
  truncated: boolean;
}

/** Reads `length` bytes at `position`; returns fewer at end of file. */
export type ReadAt = (position: number, length: number) => Uint8Array;

/** Thrown for anything that is not a usable WAV header; the caller adds the file name. */
export class WavHeaderError extends Error {}

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
}

export function isWav(head: Uint8Array): boolean {
  return head.length >= 12 && fourcc(head, 0) === 'RIFF' && fourcc(head, 8) === 'WAVE';
}

/** Walks the chunk list of a WAV file of `fileSize` bytes. */
export function parseWavHeader(readAt: ReadAt, fileSize: number): WavHeader {
  const head = readAt(0, 12);
  if (head.length < 12) throw new WavHeaderError('too short to be a WAV file');
  const id = fourcc(head, 0);
  if (id === 'RIFX') throw new WavHeaderError('big-endian WAV (RIFX) is not supported');
  if (id === 'RF64') throw new WavHeaderError('RF64 (64-bit WAV) is not supported');
  if (id !== 'RIFF' || fourcc(head, 8) !== 'WAVE') throw new WavHeaderError('not a RIFF/WAVE file');

  let fmt: Omit<WavHeader, 'dataOffset' | 'dataBytes' | 'truncated'> | null = null;
  let pos = 12;
  while (pos + 8 <= fileSize) {
    const ch = readAt(pos, 8);
    if (ch.length < 8) break;
    const chunkId = fourcc(ch, 0);
    const size = u32(ch, 4);
    const body = pos + 8;
    if (chunkId === 'fmt ') {
      if (size < 16) throw new WavHeaderError(`fmt chunk is ${size} bytes, needs at least 16`);
      const f = readAt(body, Math.min(size, 40));
      if (f.length < 16) throw new WavHeaderError('file ends inside the fmt chunk');
      let formatTag = u16(f, 0);
      const extensible = formatTag === WAVE_FORMAT.EXTENSIBLE;
      if (extensible) {
        if (f.length < 26) throw new WavHeaderError('WAVE_FORMAT_EXTENSIBLE fmt chunk is too short');
        formatTag = u16(f, 24); // first two bytes of the sub-format GUID
      }
      fmt = {
        formatTag,
        extensible,
        channels: u16(f, 2),
        sampleRate: u32(f, 4),
        blockAlign: u16(f, 12),
        bitsPerSample: u16(f, 14),
      };
    } else if (chunkId === 'data') {
      if (!fmt) throw new WavHeaderError('data chunk before the fmt chunk');
      // 0xFFFFFFFF (and 0) are written by streaming encoders that never patched the size.
      const declared = size === 0xffffffff || size === 0 ? fileSize - body : size;
      const present = Math.max(0, Math.min(declared, fileSize - body));
      return { ...fmt, dataOffset: body, dataBytes: present, truncated: present < declared };
    }
    pos = body + size + (size & 1);
  }
  throw new WavHeaderError(fmt ? 'no data chunk' : 'no fmt chunk');
}

/** Bytes per stored sample of one channel (the "container", which may exceed the valid bits). */
export function containerBytes(h: WavHeader): number {
  return h.channels > 0 ? h.blockAlign / h.channels : 0;
}

/** Checks the header describes something this decoder converts; returns the problem or null. */
export function unsupportedWav(h: WavHeader): string | null {
  if (h.channels < 1) return 'header declares 0 channels';
  if (h.sampleRate < 1) return 'header declares a sample rate of 0';
  const cb = containerBytes(h);
  const fits = Number.isInteger(cb) && h.bitsPerSample > 0 && h.bitsPerSample <= cb * 8;
  if (h.formatTag === WAVE_FORMAT.PCM) {
    if (!fits || cb > 4) return `${h.bitsPerSample}-bit PCM in ${h.blockAlign}-byte frames is not supported`;
  } else if (h.formatTag === WAVE_FORMAT.IEEE_FLOAT) {
    if (!fits || (cb !== 4 && cb !== 8))
      return `${h.bitsPerSample}-bit float is not supported (32 and 64 are)`;
  } else if (h.formatTag === WAVE_FORMAT.ALAW || h.formatTag === WAVE_FORMAT.MULAW) {
    if (!fits || cb !== 1) return `${h.bitsPerSample}-bit companded audio is not supported`;
  } else {
    return `WAV encoding with format tag 0x${h.formatTag.toString(16)} is not supported (PCM, float, A-law, mu-law and IMA ADPCM are)`;
  }
  return null;
}
