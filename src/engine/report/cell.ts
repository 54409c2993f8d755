/** Table cell constructors shared by every report table builder. */
import type { Cell } from './types';

/** A number, with its sd when one is given (null sd: "no sd", shown as such). */
export const num = (value: number | null | undefined, sd?: number | null): Cell => ({
  kind: 'number',
  value: value ?? null,
  ...(sd !== undefined ? { sd } : {}),
});

/** A difference: printed with '+' when positive. */
export const signed = (value: number | null): Cell => ({ kind: 'number', value, signed: true });

export const text = (t: string): Cell => ({ kind: 'text', text: t });

/** a − b, or null when either is missing (a class one side does not have). */
export const diff = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined ? null : a - b;

/** A confidence interval cell. */
export const interval = (i: { lo: number | null; hi: number | null; level: number }): Cell => ({
  kind: 'interval',
  lo: i.lo,
  hi: i.hi,
  level: i.level,
});
