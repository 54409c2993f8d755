/** Moved to util/rng.ts (model/ uses it and must not import train/); re-exported for old imports. */
export * from '../util/rng';
