/**
 * A steady ETA: the run reports "seconds left" at every epoch, and those readings jump (the first
 * epochs are slower, a fold's cache build comes between). The shown value counts down between
 * readings and moves only part of the way towards each new one.
 */
export interface EtaState {
  /** Seconds left at `at`. */
  sec: number;
  /** Epoch milliseconds of the reading. */
  at: number;
}

/** How far a new reading moves the shown ETA (1 = jump to it). */
export const ETA_SMOOTHING = 0.3;

/** Seconds left now, counting down from the last state. */
export function etaNow(state: EtaState, now: number): number {
  return Math.max(0, state.sec - (now - state.at) / 1000);
}

/** The state after a new reading of `sec` seconds left at `now`. */
export function smoothEta(prev: EtaState | null, sec: number, now: number): EtaState {
  if (!Number.isFinite(sec) || sec < 0) return prev ?? { sec: 0, at: now };
  if (!prev) return { sec, at: now };
  const projected = etaNow(prev, now);
  // A run that ran past its old estimate takes the new reading as it is.
  if (projected <= 0) return { sec, at: now };
  return { sec: projected + ETA_SMOOTHING * (sec - projected), at: now };
}

/** "12 min 05 s", "40 s", "1 h 02 min". */
export function formatEta(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
