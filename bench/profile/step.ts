/**
 * Where one training step's time goes, per mode (full, trainFrom 11, 13, frozen), on the active
 * backend (native TensorFlow when installed): a 24-utterance x 7-patch batch of random values,
 * the batch shape of the PyTorch reference. Not a `npm run bench` module (bench/*.ts only): run
 *   npx tsx bench/profile/step.ts [--modes full,11,13,frozen] [--repeats 3] [--kernels]
 * Each phase is timed separately (tfjs-node runs ops synchronously, so a phase's wall time is its
 * compute); the CPU column is process CPU time (all TensorFlow threads) over the same span.
 */
import { parseArgs } from 'node:util';
import { configureThreads } from '../../src/engine/backend/threads';
import { initBackend, tf } from '../../src/engine/backend/tf';
import type { TrainFrom } from '../../src/engine/config/schema';
import { fromFloat16, toFloat16 } from '../../src/engine/model/activation-cache';
import { YamnetLstm, type Sample } from '../../src/engine/model/ser-model';
import { firstTrainedBlock, seededRandomWeights, stepShapeFor } from '../../src/engine/model/steps';
import { Rng } from '../../src/engine/util/rng';
import { scoreSamples, trainStep } from '../../src/engine/train/train-fold';
import { YamnetModel } from '../../src/engine/yamnet/model';

// Before the native backend loads (initBackend): TensorFlow reads its thread counts once.
const threads = configureThreads();

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'full,11,13,frozen' },
    repeats: { type: 'string', default: '3' },
    kernels: { type: 'boolean', default: false },
    utterances: { type: 'string', default: '24' },
    patches: { type: 'string', default: '7' },
  },
});
const UTT = Number(values.utterances);
const PATCHES = Number(values.patches);
const REPEATS = Number(values.repeats);

interface Span {
  wall: number;
  cpu: number;
}
const spans = new Map<string, Span[]>();
function timed<T>(name: string, fn: () => T): T {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = fn();
  const c = process.cpuUsage(c0);
  const list = spans.get(name) ?? [];
  list.push({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 });
  spans.set(name, list);
  return out;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function batchOf(trainFrom: TrainFrom, rng: Rng): Sample[] {
  const size = stepShapeFor(trainFrom).reduce((a, b) => a * b, 1);
  return Array.from({ length: UTT }, (_, i) => {
    const data = new Float32Array(PATCHES * size);
    for (let j = 0; j < data.length; j++) data[j] = rng.next();
    return { id: `u${i}`, label: i % 4, steps: PATCHES, data };
  });
}

const backend = await initBackend('auto');
console.log(
  `backend ${backend.name} (${backend.reason}); batch ${UTT} x ${PATCHES}; threads ${JSON.stringify(threads)}`,
);
const yamnet = new YamnetModel(seededRandomWeights(1));

for (const mode of values.modes!.split(',')) {
  spans.clear();
  const trainFrom: TrainFrom = mode === 'full' || mode === 'frozen' ? mode : Number(mode);
  const k = firstTrainedBlock(trainFrom);
  const rng = new Rng(1);
  const batch = batchOf(trainFrom, rng);
  const backbone = k <= 14 ? yamnet.build({ from: k }) : null;
  const net = new YamnetLstm(stepShapeFor(trainFrom), { lstmUnits: [150, 150], numClasses: 4 }, 1, backbone);
  const opt = tf.train.adam(3e-4);
  const weights = [1, 1, 1, 1];
  const labels = batch.map((s) => s.label);
  trainStep(net, opt, batch, weights, 4); // warm-up
  for (let r = 0; r < REPEATS; r++) {
    // The end-to-end step as training runs it.
    timed('step (trainStep, as trained)', () => trainStep(net, opt, batch, weights, 4));
    // Phases of the same step, one by one.
    const f16 = toFloat16(batch[0].data as Float32Array);
    timed('float16 decode (per batch, at cache read)', () => {
      for (let i = 0; i < batch.length; i++) fromFloat16(f16);
    });
    const grads = timed('forward+backward (variableGrads)', () =>
      tf.variableGrads(() => {
        const out = net.forward(batch, true);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
        return tf.losses.softmaxCrossEntropy(y, out.logits) as tf.Scalar;
      }, net.variables),
    );
    timed('optimizer update (applyGradients)', () =>
      opt.applyGradients(grads.grads as Record<string, tf.Variable>),
    );
    timed('dataSync (loss)', () => grads.value.dataSync());
    tf.dispose([grads.value, ...Object.values(grads.grads)]);
    tf.tidy(() => {
      timed('forward only (training=true, no tape)', () => {
        const out = net.forward(batch, true);
        out.logits.dataSync();
      });
    });
    timed('validation pass (scoreSamples, 24 utt.)', () => scoreSamples(net, batch, 4));
    timed('getWeights (checkpoint read)', () => net.getWeights());
  }
  if (values.kernels) {
    const prof = await tf.profile(() => {
      const g = tf.variableGrads(() => {
        const out = net.forward(batch, true);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
        return tf.losses.softmaxCrossEntropy(y, out.logits) as tf.Scalar;
      }, net.variables);
      opt.applyGradients(g.grads as Record<string, tf.Variable>);
      return g.value;
    });
    const byName = new Map<string, { ms: number; n: number }>();
    for (const kn of prof.kernels) {
      const ms = Number(await kn.kernelTimeMs);
      const e = byName.get(kn.name) ?? { ms: 0, n: 0 };
      e.ms += ms;
      e.n++;
      byName.set(kn.name, e);
    }
    const total = [...byName.values()].reduce((a, b) => a + b.ms, 0);
    console.log(
      `  kernels: ${prof.kernels.length} ops, ${total.toFixed(0)} ms kernel time, ${prof.newTensors} new tensors`,
    );
    for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14))
      console.log(`    ${name.padEnd(28)} ${e.ms.toFixed(1).padStart(8)} ms  x${e.n}`);
  }
  console.log(`\nmode ${mode} (first trained block ${k}), median of ${REPEATS}:`);
  console.log(`  ${'phase'.padEnd(44)} ${'wall ms'.padStart(9)} ${'cpu ms'.padStart(9)}`);
  for (const [name, list] of spans)
    console.log(
      `  ${name.padEnd(44)} ${median(list.map((s) => s.wall))
        .toFixed(1)
        .padStart(9)} ${median(list.map((s) => s.cpu))
        .toFixed(1)
        .padStart(9)}`,
    );
  opt.dispose();
  net.dispose();
}
