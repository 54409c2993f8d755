/**
 * The face every fault-injection module shows to `npm run fuzz` and to its short CI test.
 * A module lives at `fuzz/<name>.fuzz.ts` and exports `fuzz(options): Promise<FuzzResult>`.
 */
export interface FuzzOptions {
  /** Long run (`npm run fuzz`) or the short version CI runs inside the test suite. */
  long: boolean;
  /** Seed of the module's case generator: the same seed tries the same cases. */
  seed: number;
  /** A fresh scratch folder owned by this module for this run. */
  workDir: string;
  /** Cases a module may run at once (`npm run fuzz -- --jobs N`; default 1). */
  jobs?: number;
  /** Progress lines (stderr in `npm run fuzz`). */
  log: (line: string) => void;
}

export interface FuzzResult {
  /** Module name, e.g. 'audio-files'. */
  name: string;
  /** Cases tried. */
  tried: number;
  /** One line per failed case: what was tried (with its seed or index) and what went wrong. */
  failures: string[];
}

export type FuzzModule = (options: FuzzOptions) => Promise<FuzzResult>;
