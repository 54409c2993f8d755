/** What the job process runs: one experiment (or its resumption) through the engine's runner. */
import type { RunJobSpec } from './jobs';

export interface RunJobHooks {
  signal: AbortSignal;
  onEvent(event: { type: string; [k: string]: unknown }): void;
  onLog(line: string): void;
}

export async function runJob(spec: RunJobSpec, hooks: RunJobHooks): Promise<void> {
  const { runExperiment } = await import('../engine/runs');
  const { parseConfig } = await import('../engine/config/schema');
  const config = spec.resume ? null : parseConfig(spec.config);
  await runExperiment(config, {
    ...(spec.resume ? { resumeDir: spec.runDir } : { runDir: spec.runDir }),
    signal: hooks.signal,
    onEvent: (e) => {
      if (e.type === 'log' && e.message) hooks.onLog(e.message);
      hooks.onEvent(e as unknown as { type: string });
    },
  });
}
