/** The real CLI as a child process, with its own data home and the shared YAMNet weights. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot, sharedDir } from '../../src/engine/util/paths';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], home: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), ...args], {
    env: {
      ...process.env,
      SER_WORKBENCH_HOME: home,
      YAMNET_WEIGHTS: path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}
