import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeWorkerExit } from './worker-exit';

/** A real Node process that ends the way a crashed or killed worker does. */
function exitOf(script: string): { code: number | null; signal: NodeJS.Signals | null } {
  const r = spawnSync(process.execPath, ['-e', script]);
  return { code: r.status, signal: r.signal };
}

describe('describeWorkerExit', () => {
  it('names a native crash and says how to train without oneDNN', () => {
    const { code, signal } = exitOf("process.kill(process.pid, 'SIGFPE')");
    expect(signal).toBe('SIGFPE');
    const message = describeWorkerExit('training worker', code, signal);
    expect(message).toMatch(/^training worker exited without a result \(code null, signal SIGFPE\): /);
    expect(message).toContain('TF_ENABLE_ONEDNN_OPTS=0');
    expect(message).toContain('SER_BACKEND=wasm');
  });

  it('adds no hint for a kill or a plain exit code', () => {
    const killed = exitOf("process.kill(process.pid, 'SIGTERM')");
    expect(describeWorkerExit('the task worker', killed.code, killed.signal)).toBe(
      'the task worker exited without a result (code null, signal SIGTERM)',
    );
    const exited = exitOf('process.exit(3)');
    expect(describeWorkerExit('the task worker', exited.code, exited.signal)).toBe(
      'the task worker exited without a result (code 3, signal null)',
    );
  });
});
