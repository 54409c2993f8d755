/**
 * WAV sample conversion to mono float. Integer PCM is scaled by its container's full scale
 * (8-bit is unsigned with a 128 offset; 16/24/32-bit are signed two's complement, left-justified
 * when the valid bits are fewer than the container), float is taken as is, and channels are
 * averaged. Written against typed arrays rather than wavefile's generic unpacker because it is
 * ~50× faster (wavefile: 37 ms for a 3.3 s 48 kHz file), which the front-end throughput needs.
 */
import { containerBytes, WAVE_FORMAT, type WavHeader } from './wav-header';

/** ITU-T G.711 expansions to linear 16-bit, as 256-entry tables. */
function alawTable(): Int16Array {
  const t = new Int16Array(256);
  for (let i = 0; i < 256; i++) {
    const a = i ^ 0x55;
    const seg = (a & 0x70) >> 4;
    let v = (a & 0x0f) << 4;
    v = seg === 0 ? v + 8 : (((v + 0x108) << (seg - 1)) as number);
    t[i] = a & 0x80 ? v : -v;
  }
  return t;
}

function mulawTable(): Int16Array {
  const t = new Int16Array(256);
  for (let i = 0; i < 256; i++) {
    const u = ~i & 0xff;
    const v = ((((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
    t[i] = u & 0x80 ? -v : v;
  }
  return t;
}

let alaw: Int16Array | null = null;
let mulaw: Int16Array | null = null;

/** Converts the data chunk of `bytes` (whole file) to mono float32. */
/**
 * 16-bit PCM, by far the commonest corpus format, gets a dedicated monomorphic loop over an
 * Int16Array view (copied first when the data chunk is not 2-byte aligned in memory).
 */
function int16ToMono(bytes: Uint8Array, h: WavHeader, frames: number): Float32Array {
  const ch = h.channels;
  const start = bytes.byteOffset + h.dataOffset;
  const n = frames * ch;
  const s =
    start % 2 === 0
      ? new Int16Array(bytes.buffer, start, n)
      : new Int16Array(bytes.slice(h.dataOffset, h.dataOffset + n * 2).buffer);
  const out = new Float32Array(frames);
  if (ch === 1) {
    for (let i = 0; i < frames; i++) out[i] = s[i] * (1 / 32768);
  } else if (ch === 2) {
    for (let i = 0, j = 0; i < frames; i++, j += 2) out[i] = (s[j] + s[j + 1]) * (1 / 65536);
  } else {
    const k = 1 / (32768 * ch);
    for (let i = 0, j = 0; i < frames; i++) {
      let sum = 0;
      for (let c = 0; c < ch; c++) sum += s[j++];
      out[i] = sum * k;
    }
  }
  return out;
}

export function wavToMono(bytes: Uint8Array, h: WavHeader): Float32Array {
  const ch = h.channels;
  const cb = containerBytes(h);
  const frames = Math.floor(h.dataBytes / h.blockAlign);
  if (h.formatTag === WAVE_FORMAT.PCM && cb === 2) return int16ToMono(bytes, h, frames);
  const out = new Float32Array(frames);
  const n = frames * ch;
  const start = bytes.byteOffset + h.dataOffset;
  const view = new DataView(bytes.buffer, start, frames * h.blockAlign);
  const scale = 1 / ch;
  // One sample reader per encoding; the accumulation loop below is shared.
  let get: (i: number) => number;
  if (h.formatTag === WAVE_FORMAT.IEEE_FLOAT) {
    if (cb === 4) {
      const f = start % 4 === 0 ? new Float32Array(bytes.buffer, start, n) : null;
      get = f ? (i) => f[i] : (i) => view.getFloat32(i * 4, true);
    } else get = (i) => view.getFloat64(i * 8, true);
  } else if (h.formatTag === WAVE_FORMAT.ALAW || h.formatTag === WAVE_FORMAT.MULAW) {
    const table = h.formatTag === WAVE_FORMAT.ALAW ? (alaw ??= alawTable()) : (mulaw ??= mulawTable());
    const b = bytes.subarray(h.dataOffset);
    get = (i) => table[b[i]] / 32768;
  } else if (cb === 1) {
    const b = bytes.subarray(h.dataOffset);
    get = (i) => (b[i] - 128) / 128;
  } else if (cb === 2) {
    const s = start % 2 === 0 ? new Int16Array(bytes.buffer, start, n) : null;
    get = s ? (i) => s[i] / 32768 : (i) => view.getInt16(i * 2, true) / 32768;
  } else if (cb === 3) {
    const b = bytes.subarray(h.dataOffset);
    get = (i) => {
      const j = i * 3;
      return (((b[j] | (b[j + 1] << 8) | (b[j + 2] << 16)) << 8) >> 8) / 8388608;
    };
  } else {
    const s = start % 4 === 0 ? new Int32Array(bytes.buffer, start, n) : null;
    get = s ? (i) => s[i] / 2147483648 : (i) => view.getInt32(i * 4, true) / 2147483648;
  }
  if (ch === 1) {
    for (let i = 0; i < frames; i++) out[i] = get(i);
  } else {
    for (let f = 0, i = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < ch; c++) sum += get(i++);
      out[f] = sum * scale;
    }
  }
  return out;
}
