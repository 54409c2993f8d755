/**
 * The workbench's side of the PyTorch step-time comparison, in its own process because
 * TensorFlow's thread pools are fixed when the native backend loads:
 *   TF_NUM_INTRAOP_THREADS=N npx tsx bench/profile/steptime.ts --modes full,11,13,frozen
 * One Adam step as training takes it (trainStep on a fold store held on the backend, compiled where
 * training compiles it, loss read),
 * a batch of 24 utterances x 7 patches of random values (the reference's shape), pretrained
 * weights from YAMNET_WEIGHTS or shared/; seconds per step = median of the timed steps after a
 * warm-up, as the reference reports. Prints one JSON document.
 */
import { parseArgs } from 'node:util';
import { configureThreads } from '../../src/engine/backend/threads';
import { initBackend, tf } from '../../src/engine/backend/tf';
import type { TrainFrom } from '../../src/engine/config/schema';
import { CompiledStep } from '../../src/engine/model/graph/compiled-step';
import { ResidentSteps } from '../../src/engine/model/resident-steps';
import { YamnetLstm, type Sample } from '../../src/engine/model/ser-model';
import { firstTrainedBlock, setupYamnet, stepShapeFor } from '../../src/engine/model/steps';
import { testWeightsPath } from '../../src/engine/model/testing/real-batch';
import { Rng } from '../../src/engine/util/rng';
import { trainStep } from '../../src/engine/train/train-fold';

const threads = configureThreads();
const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'full,11,13,frozen' },
    utterances: { type: 'string', default: '24' },
    patches: { type: 'string', default: '7' },
    steps: { type: 'string', default: '5' },
  },
});
const UTT = Number(values.utterances);
const PATCHES = Number(values.patches);
const STEPS = Number(values.steps);

const backend = await initBackend('auto');
const setup = await setupYamnet('pretrained', 1, testWeightsPath());
const modes = [];
for (const mode of values.modes!.split(',')) {
  const trainFrom: TrainFrom = mode === 'full' || mode === 'frozen' ? mode : Number(mode);
  const k = firstTrainedBlock(trainFrom);
  const shape = stepShapeFor(trainFrom);
  const size = shape.reduce((a, b) => a * b, 1);
  const rng = new Rng(1);
  const batch: Sample[] = Array.from({ length: UTT }, (_, i) => {
    const data = new Float32Array(PATCHES * size);
    for (let j = 0; j < data.length; j++) data[j] = rng.next();
    return { id: `u${i}`, label: i % 4, steps: PATCHES, data };
  });
  const net = new YamnetLstm(
    shape,
    { lstmUnits: [150, 150], numClasses: 4 },
    1,
    k <= 14 ? setup.model.build({ from: k }) : null,
  );
  const resident = ResidentSteps.create(batch, size);
  const opt = tf.train.adam(3e-4);
  // The compiled step where training takes it (the native backend).
  const compiled = CompiledStep.forModel(net, opt, resident);
  const step = () => trainStep(net, opt, batch, [1, 1, 1, 1], 4, resident, compiled);
  step();
  const times: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    step();
    times.push((performance.now() - t0) / 1000);
  }
  const cpu = process.cpuUsage(c0);
  const sorted = [...times].sort((a, b) => a - b);
  modes.push({
    mode,
    firstTrainedBlock: k,
    secondsPerStep: sorted[Math.floor(sorted.length / 2)],
    cpuSecondsPerStep: (cpu.user + cpu.system) / 1e6 / STEPS,
    steps: times.map((t) => Number(t.toFixed(4))),
  });
  compiled?.dispose();
  opt.dispose();
  resident?.dispose();
  net.dispose();
}
process.stdout.write(
  JSON.stringify({ backend: backend.name, threads, utterances: UTT, patchesPerUtterance: PATCHES, modes }) +
    '\n',
);
