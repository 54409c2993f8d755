/** What hardware a backend runs on, as far as the machine tells without loading TensorFlow. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface CpuDevice {
  kind: 'cpu';
  name: string;
  cores: number;
}

export interface GpuDevice {
  kind: 'gpu';
  name: string;
  memoryMB?: number;
  driver?: string;
}

export type Device = CpuDevice | GpuDevice;

export function cpuDevice(): CpuDevice {
  const cpus = os.cpus();
  return { kind: 'cpu', name: cpus[0]?.model?.trim() || os.arch(), cores: cpus.length };
}

let gpus: { list: GpuDevice[]; reason: string } | null = null;

/** NVIDIA GPUs from nvidia-smi; empty with a reason when there is none or no driver. */
export function nvidiaGpus(): { list: GpuDevice[]; reason: string } {
  if (gpus) return gpus;
  try {
    const out = execFileSync(
      'nvidia-smi',
      ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits'],
      { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const list = out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((line): GpuDevice => {
        const [name, mem, driver] = line.split(',').map((s) => s.trim());
        const memoryMB = Number(mem);
        return { kind: 'gpu', name, memoryMB: Number.isFinite(memoryMB) ? memoryMB : undefined, driver };
      });
    gpus = { list, reason: list.length ? '' : 'nvidia-smi lists no GPU' };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    gpus = {
      list: [],
      reason: code === 'ENOENT' ? 'no NVIDIA driver (nvidia-smi not found)' : 'nvidia-smi failed',
    };
  }
  return gpus;
}

/** Whether the CUDA runtime tfjs-node-gpu links against can be found by the dynamic loader. */
export function cudaRuntimeFound(): boolean {
  try {
    const out = execFileSync('ldconfig', ['-p'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (/libcudart\.so/.test(out)) return true;
  } catch {
    // no ldconfig: fall through to the usual install folder
  }
  return fs.existsSync('/usr/local/cuda/lib64');
}
