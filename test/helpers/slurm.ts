/** Whether a one-node Slurm (.ci/slurm-up.sh) is up for the tests that need a real one. */
import { spawnSync } from 'node:child_process';

/** The node states when a usable node exists, else null (no sinfo, no controller, node down). */
export function slurmState(): string | null {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const states = r.stdout.split('\n').filter(Boolean);
  return states.some((s) => /^(idle|mixed|allocated)/.test(s)) ? states.join(',') : null;
}

/**
 * The Slurm tests' gate: where CI requires Slurm (SER_REQUIRE_SLURM=1) a missing cluster is an
 * error, not a skip; elsewhere the tests skip with `reason`.
 */
export function slurmOrSkip(reason: string): string | null {
  const state = slurmState();
  if (state) return state;
  if (process.env.SER_REQUIRE_SLURM === '1')
    throw new Error(`SER_REQUIRE_SLURM=1 but no Slurm node is usable (sinfo): ${reason}`);
  console.warn(reason);
  return null;
}

/** Polls `check` every half second until it holds. */
export async function until(what: string, check: () => boolean, timeoutMs = 300_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
