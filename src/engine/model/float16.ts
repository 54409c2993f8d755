/**
 * IEEE 754 half precision for the activation cache: encoding float32 values, and decoding by a
 * 65,536-entry table (every half value's float32), which a batch gather reads per value.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toFloat16(x: Float32Array): Uint16Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    f32[0] = x[i];
    const bits = u32[0];
    const sign = (bits >>> 16) & 0x8000;
    const exp = ((bits >>> 23) & 0xff) - 127 + 15;
    const mant = bits & 0x7fffff;
    if (exp <= 0) {
      // Subnormal or zero: multiples of 2^-24, rounded to nearest (0x400 is the smallest normal).
      out[i] = sign | Math.min(0x400, Math.round(Math.abs(x[i]) * 16777216));
    } else if (exp >= 31) {
      out[i] = sign | 0x7c00 | (((bits >>> 23) & 0xff) === 0xff && mant ? 0x200 : 0);
    } else {
      let h = sign | (exp << 10) | (mant >>> 13);
      if (mant & 0x1000) h++; // round half up on the dropped bits
      out[i] = h;
    }
  }
  return out;
}

function halfToFloat(v: number): number {
  const sign = v & 0x8000 ? -1 : 1;
  const exp = (v >>> 10) & 0x1f;
  const mant = v & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

let table: Float32Array | null = null;

/** float32 of every half bit pattern (256 KB, built on first use). */
function decodeTable(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let v = 0; v < 65536; v++) table[v] = halfToFloat(v);
  }
  return table;
}

/** Decodes h[start, end) into out from `offset`. */
export function decodeFloat16Into(
  h: Uint16Array,
  start: number,
  end: number,
  out: Float32Array,
  offset: number,
): void {
  const t = decodeTable();
  for (let i = start, o = offset; i < end; i++, o++) out[o] = t[h[i]];
}

export function fromFloat16(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  decodeFloat16Into(h, 0, h.length, out, 0);
  return out;
}
