import { PAPER_DEFAULTS } from '@shared/paper-defaults';
import { resamplePolyphase } from './polyphase';

/** The front end's sample rate (YAMNet's). */
export const TARGET_RATE = PAPER_DEFAULTS.frontEnd.sampleRate;

/**
 * - `polyphase`: Kaiser-windowed sinc polyphase FIR, SciPy `resample_poly` design (default:
 *   matches the reference vectors best and is the fastest band-limited option, see bench/frontend.ts).
 * - `sinc-best` | `sinc-medium` | `sinc-fastest`: libsamplerate's converters (97 %, 90 %, 80 %
 *   bandwidth). Medium and fastest roll off below 7.5 kHz, YAMNet's top mel band edge.
 */
export type ResampleMethod = 'polyphase' | 'sinc-best' | 'sinc-medium' | 'sinc-fastest';
export const RESAMPLE_METHODS: ResampleMethod[] = ['polyphase', 'sinc-best', 'sinc-medium', 'sinc-fastest'];
export const DEFAULT_RESAMPLE_METHOD: ResampleMethod = 'polyphase';

const CONVERTER: Record<Exclude<ResampleMethod, 'polyphase'>, number> = {
  'sinc-best': 0,
  'sinc-medium': 1,
  'sinc-fastest': 2,
};

/** Rates whose reduced ratio needs a polyphase filter bank larger than this use libsamplerate. */
const MAX_POLYPHASE_RATIO_TERM = 4096;

async function resampleLibsamplerate(
  samples: Float32Array,
  fromRate: number,
  toRate: number,
  converterType: number,
): Promise<Float32Array> {
  // Loaded on first use: 2 MB of JS with embedded WASM that the default path never needs.
  type Lib = typeof import('@alexanderolsen/libsamplerate-js');
  // CommonJS: some loaders put module.exports on `default`, others spread it (tsx does).
  const mod = (await import('@alexanderolsen/libsamplerate-js')) as Lib & { default?: Lib };
  const { create } = mod.default ?? mod;
  const src = await create(1, fromRate, toRate, { converterType: converterType as 0 });
  try {
    return src.simple(samples);
  } finally {
    src.destroy();
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Band-limited resampling of mono audio to `toRate` (16 kHz by default). Returns the input
 * itself when the rates already match. Output length is ceil(n·toRate/fromRate) for
 * `polyphase`; libsamplerate's may differ by a sample.
 */
export async function resample(
  samples: Float32Array,
  fromRate: number,
  toRate: number = TARGET_RATE,
  method: ResampleMethod = DEFAULT_RESAMPLE_METHOD,
): Promise<Float32Array> {
  if (!(fromRate > 0) || !(toRate > 0) || !Number.isFinite(fromRate) || !Number.isFinite(toRate))
    throw new RangeError(`resample: bad rates ${fromRate} -> ${toRate}`);
  if (fromRate === toRate || samples.length === 0) return samples;
  if (method === 'polyphase') {
    const integral = Number.isInteger(fromRate) && Number.isInteger(toRate);
    const g = integral ? gcd(fromRate, toRate) : 0;
    if (integral && Math.max(fromRate / g, toRate / g) <= MAX_POLYPHASE_RATIO_TERM)
      return resamplePolyphase(samples, fromRate, toRate);
    return resampleLibsamplerate(samples, fromRate, toRate, CONVERTER['sinc-best']);
  }
  return resampleLibsamplerate(samples, fromRate, toRate, CONVERTER[method]);
}
