import { decodeFloat16Into } from './float16';

/**
 * Step values as the cache holds them: float32, or the bits of IEEE half-precision values
 * (Uint16Array) for the float16 sets (block outputs of trainFrom runs, the largest), which stay
 * half-size in memory and are decoded where a batch is assembled.
 */
export type StepValues = Float32Array | Uint16Array;

/** One utterance as the model sees it: its cached steps (patches or activations) and its class. */
export interface Sample {
  id: string;
  /** Class index. */
  label: number;
  steps: number;
  data: StepValues;
}

/** Writes the first `count` values of `data` as float32 into `out` from `offset`. */
export function copyStepValues(data: StepValues, count: number, out: Float32Array, offset: number): void {
  if (data instanceof Float32Array) out.set(data.subarray(0, count), offset);
  else decodeFloat16Into(data, 0, count, out, offset);
}
