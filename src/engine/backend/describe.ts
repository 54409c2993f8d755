/**
 * Listing backends and describing the active one, for `ser-workbench backends`, for every run's
 * environment.json and for deciding whether YAMNet can be fine-tuned here.
 */
import { createRequire } from 'node:module';
import { tf, activeBackend, disabledBackends, useBackend, type BackendName } from './tf';
import { loadNativeBackend, resolveNativePackage, type NativePackage } from './native';
import { cpuDevice, nvidiaGpus, cudaRuntimeFound, type Device } from './device';
import { WASM_TRAINING_KERNELS } from '../yamnet/wasm-gradients';
import { describeStepCosts, measuredStepCosts } from './step-costs';

export type BackendEntryName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendEntryName;
  /** The tfjs backend name a run would pass to setBackend. */
  backend: BackendName;
  package: string;
  available: boolean;
  /** Why it is not available, or what it is when it is. */
  reason: string;
  version: string | null;
  device: Device | null;
  /** Whether YAMNet's convolutions can be trained here (fineTuneSupport). */
  fineTune: boolean;
  /** fineTuneSupport's sentence (empty when the backend is not available). */
  fineTuneNote: string;
  /** fineTuneSupport's `slow`. */
  fineTuneSlow: boolean;
  /** fineTuneSupport's `measured`: this host's measured s/step per mode ('' before any). */
  measuredCost: string;
  /** The backend `auto` would pick. */
  selected: boolean;
}

export interface BackendListing {
  selected: BackendEntryName;
  backends: BackendInfo[];
}

export interface BackendDescription {
  name: BackendName;
  reason: string;
  package?: NativePackage;
  versions: Record<string, string>;
  device: Device;
  fineTune: boolean;
  fineTuneNote: string;
  /** Measured s/step per mode on this backend and host, as `backends` prints it. */
  measuredCost: string;
}

const requireCjs = createRequire(import.meta.url);

function packageVersion(name: string): string | null {
  try {
    return (requireCjs(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

/** Kernels whose absence makes training YAMNet's conv layers impossible on a backend. */
const fineTuneKernels = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'Conv2DBackpropInput',
];

/** Whether and how well YAMNet's convolutions train on a backend: the one answer every face shows. */
export interface FineTuneSupport {
  possible: boolean;
  /** Possible but far slower than tensorflow: the run's estimate measures how much before it starts. */
  slow: boolean;
  /** One sentence for `backends`, Settings, the estimate and logs. */
  message: string;
  /**
   * What a training step measured on this backend and host, per mode (from every cost
   * calibration: run estimates, the layer table, `backends --measure`); '' before any.
   */
  measured: string;
}

/**
 * Whether YAMNet can be fine-tuned on `name`, for `ser-workbench backends`, Settings, the run
 * estimate, the runner and environment.json alike. The wasm backend lacks conv gradient kernels
 * of its own; the engine supplies them (../yamnet/wasm-gradients) and counts them here, so no face
 * can say "no" while a run goes ahead. Cpu trains ~1000x slower than
 * tensorflow on YAMNet (bench/backends.ts); wasm with those kernels is also far slower.
 */
export function fineTuneSupport(name: BackendName): FineTuneSupport {
  return { ...kernelSupport(name), measured: describeStepCosts(measuredStepCosts(name)) };
}

function kernelSupport(name: BackendName): Omit<FineTuneSupport, 'measured'> {
  if (name === 'tensorflow' && !loadNativeBackend().ok) {
    return {
      possible: false,
      slow: false,
      message:
        'the tensorflow backend cannot fine-tune YAMNet: it is not installed (ser-workbench setup tensorflow)',
    };
  }
  // WASM's missing gradient kernels come from ../yamnet/wasm-gradients, which every run that trains
  // YAMNet blocks registers first; asking must not register them (a question changes nothing).
  const supplied = name === 'wasm' ? WASM_TRAINING_KERNELS : [];
  const missing = fineTuneKernels.filter((k) => tf.getKernel(k, name) === undefined && !supplied.includes(k));
  if (missing.length) {
    return {
      possible: false,
      slow: false,
      message: `the ${name} backend cannot fine-tune YAMNet: it lacks ${missing.join(', ')}; use frozen mode or the tensorflow backend`,
    };
  }
  if (name === 'cpu' || name === 'wasm') {
    return {
      possible: true,
      slow: true,
      message:
        `fine-tuning on the ${name} backend works but is far slower than on tensorflow ` +
        `(cpu: 100 to 1000 times); frozen mode is fast here, and the run estimate measures a step first`,
    };
  }
  return { possible: true, slow: false, message: `the ${name} backend can fine-tune YAMNet` };
}

/** fineTuneSupport(name).possible. */
export function canFineTune(name: BackendName): boolean {
  return fineTuneSupport(name).possible;
}

function versions(name: BackendName): Record<string, string> {
  const v: Record<string, string> = { tfjs: tf.version_core, node: process.versions.node };
  if (name === 'wasm') v['tfjs-backend-wasm'] = packageVersion('@tensorflow/tfjs-backend-wasm') ?? 'unknown';
  if (name === 'tensorflow') {
    const n = loadNativeBackend();
    if (n.ok) {
      v[n.package.replace('@tensorflow/', '')] = n.version;
      v.tensorflow = n.tfVersion;
    }
  }
  return v;
}

function deviceOf(name: BackendName, pkg?: NativePackage): Device {
  if (name === 'tensorflow' && pkg === '@tensorflow/tfjs-node-gpu') {
    const gpu = nvidiaGpus().list[0];
    if (gpu) return gpu;
  }
  return cpuDevice();
}

/** What every run records in environment.json: the active backend, why, versions, device. */
export function describeActiveBackend(): BackendDescription {
  const a = activeBackend();
  const name = (a?.name ?? tf.getBackend()) as BackendName;
  const pkg = a?.package ?? (name === 'tensorflow' ? loadNative()?.package : undefined);
  // One answer (it reads the measured step costs from disk): asked once.
  const support = fineTuneSupport(name);
  return {
    name,
    reason: a?.reason ?? 'not chosen through initBackend (tfjs default)',
    ...(pkg ? { package: pkg } : {}),
    versions: versions(name),
    device: deviceOf(name, pkg),
    fineTune: support.possible,
    fineTuneNote: support.message,
    measuredCost: support.measured,
  };
}

function loadNative() {
  const n = loadNativeBackend();
  return n.ok ? n : null;
}

/** Tries wasm without leaving it active. */
async function wasmProbe(): Promise<{ ok: boolean; reason: string }> {
  const before = tf.engine().backendName;
  try {
    await useBackend('wasm');
    return { ok: true, reason: 'WebAssembly (XNNPACK) kernels' };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  } finally {
    if (before && before !== 'wasm') await tf.setBackend(before);
  }
}

/**
 * Every backend with whether it works here and why not. Loads the native package (which cannot be
 * unloaded) and initialises wasm, but leaves the active backend as it was.
 */
export async function listBackends(): Promise<BackendListing> {
  const native = loadNativeBackend();
  const gpus = nvidiaGpus();
  const gpuPkg: NativePackage = '@tensorflow/tfjs-node-gpu';
  const cpuPkg: NativePackage = '@tensorflow/tfjs-node';

  const nativeEntry = (pkg: NativePackage, entry: BackendEntryName): BackendInfo => {
    const base = { name: entry, backend: 'tensorflow' as const, package: pkg, selected: false };
    if (native.ok && native.package === pkg) {
      const support = fineTuneSupport('tensorflow');
      return {
        ...base,
        available: true,
        reason: `TensorFlow ${native.tfVersion} through ${pkg} (${native.dir})`,
        version: native.version,
        device: deviceOf('tensorflow', pkg),
        fineTune: support.possible,
        fineTuneNote: support.message,
        fineTuneSlow: support.slow,
        measuredCost: support.measured,
      };
    }
    let reason: string;
    if (!resolveNativePackage(pkg)) {
      reason =
        entry === 'tensorflow-gpu'
          ? `not installed${gpus.list.length ? '' : `; ${gpus.reason}`}${gpus.list.length && !cudaRuntimeFound() ? '; CUDA runtime not found' : ''} (ser-workbench setup tensorflow --gpu)`
          : 'not installed (run `ser-workbench setup tensorflow`)';
    } else if (native.ok) reason = `${native.package} provides the tensorflow backend in this process`;
    else reason = native.attempts[pkg];
    return {
      ...base,
      available: false,
      reason,
      version: packageVersion(pkg),
      device: null,
      fineTune: false,
      fineTuneNote: '',
      fineTuneSlow: false,
      measuredCost: '',
    };
  };

  const wasm = await wasmProbe();
  // Each backend's one fine-tuning answer, asked once (it reads the measured step costs from disk).
  const wasmSupport = wasm.ok ? fineTuneSupport('wasm') : null;
  const cpuSupport = fineTuneSupport('cpu');
  const backends: BackendInfo[] = [
    nativeEntry(gpuPkg, 'tensorflow-gpu'),
    nativeEntry(cpuPkg, 'tensorflow'),
    {
      name: 'wasm',
      backend: 'wasm',
      package: '@tensorflow/tfjs-backend-wasm',
      available: wasm.ok,
      reason: wasm.reason,
      version: packageVersion('@tensorflow/tfjs-backend-wasm'),
      device: wasm.ok ? cpuDevice() : null,
      fineTune: wasmSupport?.possible ?? false,
      fineTuneNote: wasmSupport?.message ?? '',
      fineTuneSlow: wasmSupport?.slow ?? false,
      measuredCost: wasmSupport?.measured ?? '',
      selected: false,
    },
    {
      name: 'cpu',
      backend: 'cpu',
      package: '@tensorflow/tfjs-backend-cpu',
      available: true,
      reason: 'plain JavaScript kernels (always available, slowest)',
      version: tf.version_core,
      device: cpuDevice(),
      fineTune: cpuSupport.possible,
      fineTuneNote: cpuSupport.message,
      fineTuneSlow: cpuSupport.slow,
      measuredCost: cpuSupport.measured,
      selected: false,
    },
  ];
  const disabled = disabledBackends();
  for (const b of backends) {
    if (b.available && disabled.has(b.backend)) {
      b.available = false;
      b.reason = `disabled by SER_DISABLE_BACKENDS (${b.reason})`;
    }
  }
  const forced =
    process.env.SER_BACKEND && process.env.SER_BACKEND !== 'auto' ? process.env.SER_BACKEND : null;
  const pick =
    backends.find((b) => b.available && (!forced || b.backend === forced)) ?? backends[backends.length - 1];
  pick.selected = true;
  return { selected: pick.name, backends };
}
