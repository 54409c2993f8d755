/**
 * Long engine jobs (training runs) live in a separate process so that neither the server's event
 * loop nor Electron's main process ever blocks on tfjs. The manager tracks the live jobs, relays
 * their progress as contract events and cancels them on request.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ExperimentConfigInput } from '@shared/config-schema';
import type { RunInfo, RunProgress, WorkbenchEvent } from '@shared/contract';
import { readRunInfo } from './domains/runs';

/** What the job process is asked to do. */
export interface RunJobSpec {
  /** The config as the user wrote it, validated by the worker; null when resuming. */
  config: ExperimentConfigInput | null;
  /** The run's own folder (created by the job). */
  runDir: string;
  /** Continue the run in runDir instead of starting it. */
  resume: boolean;
}

/** What a launcher reports about its job (translated from the worker's messages). */
export type JobMessage =
  | { type: 'event'; event: RunProgress }
  | { type: 'log'; line: string; level?: 'debug' | 'info' | 'warn' }
  | { type: 'done'; state: 'done' | 'failed' | 'cancelled'; error: string | null };

export interface RunningJob {
  /** Asks the job to stop after the current batch; it then reports `cancelled`. */
  cancel(): void;
  /** Ends the process at once (shutdown). */
  kill(): void;
}

/** Starts job processes: child_process in served mode, utilityProcess in Electron. */
export type JobLauncher = (
  spec: RunJobSpec,
  onMessage: (m: JobMessage) => void,
  onExit: (code: number | null) => void,
) => RunningJob;

export class JobManager {
  private readonly live = new Map<string, RunningJob>();

  constructor(
    private readonly launcher: JobLauncher,
    private readonly emit: (event: WorkbenchEvent) => void,
  ) {}

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  liveIds(): string[] {
    return [...this.live.keys()];
  }

  start(spec: RunJobSpec): RunInfo {
    const id = path.basename(spec.runDir);
    if (this.live.has(id)) throw new Error(`run ${id} is already running`);
    fs.mkdirSync(spec.runDir, { recursive: true });
    let finished = false;
    const job = this.launcher(
      spec,
      (m) => {
        if (m.type === 'event') this.emit({ type: 'run.progress', runId: id, event: m.event });
        else if (m.type === 'log')
          this.emit({ type: 'run.log', runId: id, line: m.line, level: m.level ?? 'info' });
        else {
          finished = true;
          this.live.delete(id);
          this.emit({ type: 'run.state', runId: id, state: m.state, error: m.error });
        }
      },
      (code) => {
        this.live.delete(id);
        if (!finished) {
          this.emit({
            type: 'run.state',
            runId: id,
            state: 'failed',
            error: `the job process exited (code ${code})`,
          });
        }
      },
    );
    this.live.set(id, job);
    this.emit({ type: 'run.state', runId: id, state: 'running', error: null });
    return { ...readRunInfo(spec.runDir, true), state: 'running' };
  }

  cancel(id: string): boolean {
    const job = this.live.get(id);
    if (!job) return false;
    job.cancel();
    return true;
  }

  shutdown(): void {
    for (const job of this.live.values()) job.kill();
    this.live.clear();
  }
}
