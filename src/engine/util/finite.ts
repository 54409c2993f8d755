import { FileError } from './errors';

/**
 * Computed values that are not all finite: what the cache writers and the training step refuse,
 * so a NaN never reaches a cache, a model or a report. Names the file the values came from.
 */
export class NonFiniteError extends FileError {
  constructor(file: string, problem: string) {
    super(file, problem);
    this.name = 'NonFiniteError';
  }
}

/** Index of the first NaN or ±Inf in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (data[i] - data[i] !== 0) return i;
  return -1;
}

/** Throws a NonFiniteError naming `file` when `data` holds NaN or ±Inf ("what": which values). */
export function assertFinite(data: ArrayLike<number>, file: string, what: string): void {
  const i = firstNonFinite(data);
  if (i >= 0)
    throw new NonFiniteError(
      file,
      `${what} hold a non-finite value (${data[i]}) at index ${i} of ${data.length}; not cached`,
    );
}
