/**
 * Training of one fold: seeded mini-batch Adam, validation after every epoch, and the model kept
 * for testing is the one with the best validation average accuracy (UAR). Everything that decides
 * the next epoch (weights, Adam moments, best-so-far, PRNG state) is a `FoldCheckpoint`, so a run
 * resumed from one continues exactly as the uninterrupted run would have.
 */
import { tf } from '../backend/tf';
import type { NamedWeights } from '../model/lstm-head';
import { CompiledStep } from '../model/graph/compiled-step';
import { ResidentSteps } from '../model/resident-steps';
import type { Sample, SerModel } from '../model/ser-model';
import { CancelledError, UserError } from '../util/errors';
import { Rng, type RngState } from '../util/rng';

/** A training step whose loss is NaN or ±Inf: the fold stops, naming the batch's files. */
export class NonFiniteLossError extends UserError {
  constructor(epoch: number, batch: number, loss: number, ids: string[]) {
    super(
      `epoch ${epoch} batch ${batch}: the training loss is ${loss}; the fold stops (its last checkpoint ` +
        `is kept). Files in the batch: ${ids.join(', ')}. Check them for broken audio, or lower ` +
        `training.learningRate`,
    );
    this.name = 'NonFiniteLossError';
  }
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  valAverageAccuracy: number | null;
  /** Wall time of the epoch: its steps and the validation pass (not the checkpoint after it). */
  seconds: number;
  /** Of which the training steps (through the epoch's one read of the losses) ... */
  trainSeconds?: number;
  /** ... and the validation pass (0 without a validation set). Both absent in checkpoints written before they were recorded. */
  validationSeconds?: number;
}

export interface SerializedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface FoldCheckpoint {
  /** Epochs completed. */
  epoch: number;
  weights: NamedWeights;
  optimizer: SerializedTensor[];
  best: { epoch: number; score: number; weights: NamedWeights } | null;
  history: EpochRecord[];
  rng: RngState;
  /** Epochs since the best one (early stopping). */
  stale: number;
  stoppedEarly: boolean;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  classWeights: boolean;
  patience?: number;
  seed: number;
  numClasses: number;
  signal?: AbortSignal;
  /** Continue from this state instead of from the model's initial weights. */
  resume?: FoldCheckpoint;
  onBatch?(epoch: number, batch: number, batches: number, loss: number): void;
  /**
   * Called after each epoch with the state to save; training waits for it. `checkpointDue`: the
   * first epoch trained, at least `checkpointEverySec` since the last due checkpoint, or the
   * fold's last epoch. Saving
   * only then keeps a resumed run exact (it replays the epochs since) without writing the
   * weights, Adam moments and best weights (~17 MB for the frozen head) every epoch.
   */
  onEpoch?(
    record: EpochRecord,
    checkpoint: () => Promise<FoldCheckpoint>,
    checkpointDue: boolean,
  ): Promise<void> | void;
  /** Seconds between due checkpoints (default 20; 0: every epoch). */
  checkpointEverySec?: number;
}

export interface FoldTraining {
  bestEpoch: number;
  bestScore: number | null;
  history: EpochRecord[];
  stoppedEarly: boolean;
}

export interface Scores {
  /** Row-major [n, classes] softmax probabilities. */
  probabilities: Float32Array;
  /** Row-major [n, units] last-LSTM activations. */
  activations: Float32Array;
  units: number;
  loss: number;
  predicted: number[];
}

/** total / (classes · count) per class, as Keras' "balanced" class weights. */
export function balancedClassWeights(labels: number[], numClasses: number): number[] {
  const counts = new Array(numClasses).fill(0);
  for (const l of labels) counts[l]++;
  return counts.map((c) => (c > 0 ? labels.length / (numClasses * c) : 0));
}

/** Unweighted average recall over the classes present. */
export function averageRecall(labels: number[], predicted: number[], numClasses: number): number {
  const hit = new Array(numClasses).fill(0);
  const n = new Array(numClasses).fill(0);
  labels.forEach((l, i) => {
    n[l]++;
    if (predicted[i] === l) hit[l]++;
  });
  const recalls = n.flatMap((c, k) => (c > 0 ? [hit[k] / c] : []));
  return recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : 0;
}

function checkCancel(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Utterances per scoring batch: without a tape only one batch's activations live at a time. */
export function scoreBatchSize(model: SerModel): number {
  return Number.isFinite(model.maxStepsPerPass ?? Infinity) ? 32 : 512;
}

/**
 * Batches in order of length so padding stays small; order does not change the scores. No
 * gradient tape: scoring only reads the model.
 */
export function scoreSamples(
  model: SerModel,
  samples: Sample[],
  numClasses: number,
  batchSize = scoreBatchSize(model),
  resident?: ResidentSteps | null,
): Scores {
  const order = samples.map((_, i) => i).sort((a, b) => samples[a].steps - samples[b].steps);
  const probabilities = new Float32Array(samples.length * numClasses);
  let units = 0;
  let activations = new Float32Array(0);
  let lossSum = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const idx = order.slice(start, start + batchSize);
    const batch = idx.map((i) => samples[i]);
    const [p, a, l] = tf.tidy(() => {
      const out = model.forward(batch, false, resident);
      const y = tf.oneHot(
        tf.tensor1d(
          batch.map((s) => s.label),
          'int32',
        ),
        numClasses,
      );
      const loss = tf.losses.softmaxCrossEntropy(y, out.logits, undefined, undefined, tf.Reduction.SUM);
      return [tf.softmax(out.logits).dataSync(), out.activation.dataSync(), loss.dataSync()[0]] as const;
    });
    if (units === 0) {
      units = a.length / batch.length;
      activations = new Float32Array(samples.length * units);
    }
    idx.forEach((i, j) => {
      probabilities.set(p.subarray(j * numClasses, (j + 1) * numClasses), i * numClasses);
      activations.set(a.subarray(j * units, (j + 1) * units), i * units);
    });
    lossSum += l;
  }
  const predicted = samples.map((_, i) =>
    argmax(probabilities.subarray(i * numClasses, (i + 1) * numClasses)),
  );
  return {
    probabilities,
    activations,
    units,
    loss: samples.length ? lossSum / samples.length : 0,
    predicted,
  };
}

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

function cloneWeights(w: NamedWeights): NamedWeights {
  const out: NamedWeights = {};
  for (const [k, v] of Object.entries(w)) out[k] = { shape: [...v.shape], data: v.data.slice() };
  return out;
}

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

async function saveOptimizer(opt: tf.AdamOptimizer): Promise<SerializedTensor[]> {
  const named = await opt.getWeights();
  const out: SerializedTensor[] = named.map((w) => ({
    name: w.name,
    shape: w.tensor.shape,
    data: Float32Array.from(w.tensor.dataSync()),
  }));
  // getWeights makes a fresh tensor for the iteration count; the moments are the live variables.
  for (const w of named) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  // Adam's bias corrections are running products; saving them (not recomputing beta^t) keeps a
  // resumed run bit-identical.
  const internals = opt as unknown as AdamInternals;
  out.push({ name: '__accBeta1', shape: [], data: internals.accBeta1.dataSync() as Float32Array });
  out.push({ name: '__accBeta2', shape: [], data: internals.accBeta2.dataSync() as Float32Array });
  return out;
}

async function restoreOptimizer(opt: tf.AdamOptimizer, saved: SerializedTensor[]): Promise<void> {
  const plain = saved.filter((s) => !s.name.startsWith('__'));
  const tensors = plain.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape, 'float32') }));
  await opt.setWeights(tensors);
  tf.dispose(tensors.map((t) => t.tensor));
  const internals = opt as unknown as AdamInternals;
  tf.tidy(() => {
    for (const s of saved) {
      if (s.name === '__accBeta1') internals.accBeta1.assign(tf.scalar(s.data[0]));
      if (s.name === '__accBeta2') internals.accBeta2.assign(tf.scalar(s.data[0]));
    }
  });
}

/**
 * Consecutive slices of `batch` holding at most `maxSteps` steps each (an utterance longer than
 * that gets a slice of its own).
 */
export function splitIntoPasses(batch: Sample[], maxSteps = Infinity): Sample[][] {
  const passes: Sample[][] = [];
  let current: Sample[] = [];
  let steps = 0;
  for (const s of batch) {
    if (current.length && steps + s.steps > maxSteps) {
      passes.push(current);
      current = [];
      steps = 0;
    }
    current.push(s);
    steps += s.steps;
  }
  if (current.length) passes.push(current);
  return passes;
}

/**
 * One optimiser step on `batch` (softmax cross-entropy, each utterance weighted by its class's
 * weight); returns the batch's loss and predictions. When the batch holds more steps than
 * `model.maxStepsPerPass` (fine-tuning YAMNet blocks, where a pass keeps every activation for
 * the backward pass), it is split into passes whose gradients are summed before the one update:
 * the loss is a per-utterance sum, and utterances do not interact, so the update is the same up
 * to float rounding while memory stays bounded.
 */
export function trainStep(
  model: SerModel,
  optimizer: tf.Optimizer,
  batch: Sample[],
  classWeights: number[],
  numClasses: number,
  resident?: ResidentSteps | null,
  compiled?: CompiledStep | null,
): { loss: number; predicted: number[] } {
  const passes = splitIntoPasses(batch, model.maxStepsPerPass);
  if (passes.length === 1) {
    const { loss, predicted, correct } = deviceStep(
      model,
      optimizer,
      batch,
      classWeights,
      numClasses,
      resident,
      compiled,
    );
    const value = loss.dataSync()[0];
    const p = Array.from(predicted.dataSync());
    tf.dispose([loss, predicted, correct]);
    return { loss: value, predicted: p };
  }
  const predicted: number[] = [];
  let total = 0;
  let summed: Record<string, tf.Tensor> = {};
  for (const part of passes) {
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(part, true, resident);
      predicted.push(...(tf.argMax(out.logits, 1).dataSync() as Int32Array));
      const sum = weightedLoss(out.logits, part, classWeights, numClasses, tf.Reduction.SUM);
      return tf.div(sum, batch.length) as tf.Scalar;
    }, model.variables);
    total += value.dataSync()[0];
    value.dispose();
    const next: Record<string, tf.Tensor> = {};
    for (const [name, g] of Object.entries(grads)) next[name] = summed[name] ? tf.add(summed[name], g) : g;
    for (const [name, g] of Object.entries(grads)) if (summed[name]) tf.dispose([summed[name], g]);
    summed = next;
  }
  optimizer.applyGradients(summed);
  tf.dispose(Object.values(summed));
  return { loss: total, predicted };
}

/**
 * Softmax cross-entropy of a batch, each utterance weighted by its class's weight. The default
 * reduction is tf.losses' weighted mean (divided by the nonzero weights, one per utterance); SUM
 * lets passes of one batch add up.
 */
function weightedLoss(
  logits: tf.Tensor2D,
  batch: Sample[],
  classWeights: number[],
  numClasses: number,
  reduction?: tf.Reduction,
): tf.Scalar {
  const y = tf.oneHot(
    tf.tensor1d(
      batch.map((s) => s.label),
      'int32',
    ),
    numClasses,
  );
  const w = tf.tensor1d(batch.map((s) => classWeights[s.label]));
  return tf.losses.softmaxCrossEntropy(y, logits, w, undefined, reduction) as tf.Scalar;
}

/**
 * One optimiser step in one pass, results left on the backend: the loss and the predicted
 * classes as tensors, so the training loop reads them when it wants (once per epoch) instead of
 * waiting on the backend every step.
 */
function deviceStep(
  model: SerModel,
  optimizer: tf.Optimizer,
  batch: Sample[],
  classWeights: number[],
  numClasses: number,
  resident?: ResidentSteps | null,
  compiled?: CompiledStep | null,
): { loss: tf.Scalar; predicted: tf.Tensor1D; correct: tf.Scalar } {
  if (compiled?.holds(batch)) return compiled.step(batch, classWeights, numClasses);
  let predicted: tf.Tensor1D | null = null;
  const loss = optimizer.minimize(
    () => {
      const out = model.forward(batch, true, resident);
      predicted = tf.keep(tf.argMax(out.logits, 1)) as tf.Tensor1D;
      return weightedLoss(out.logits, batch, classWeights, numClasses);
    },
    true,
    model.variables,
  )!;
  const labels = batch.map((s) => s.label);
  const correct = tf.tidy(() =>
    tf.sum(tf.cast(tf.equal(predicted!, tf.tensor1d(labels, 'int32')), 'float32')),
  ) as tf.Scalar;
  return { loss, predicted: predicted!, correct };
}

/**
 * One training step as the epoch loop takes it: the batch's mean loss and its number of correct
 * predictions, left on the backend (the loop reads them once per epoch). Calibration times this
 * same function, so an estimate's step is the loop's step.
 */
export function trainBatch(
  model: SerModel,
  optimizer: tf.Optimizer,
  batch: Sample[],
  classWeights: number[],
  numClasses: number,
  resident?: ResidentSteps | null,
  compiled?: CompiledStep | null,
): { loss: tf.Scalar; correct: tf.Scalar } {
  if (splitIntoPasses(batch, model.maxStepsPerPass).length === 1) {
    const step = deviceStep(model, optimizer, batch, classWeights, numClasses, resident, compiled);
    step.predicted.dispose();
    return { loss: step.loss, correct: step.correct };
  }
  const r = trainStep(model, optimizer, batch, classWeights, numClasses, resident, compiled);
  return {
    loss: tf.scalar(r.loss),
    correct: tf.scalar(batch.filter((s, i) => r.predicted[i] === s.label).length),
  };
}

/** Trains `model` in place; on return it holds the best-validation weights. */
export async function trainFold(
  model: SerModel,
  data: { train: Sample[]; validation: Sample[] },
  opts: TrainOptions,
): Promise<FoldTraining> {
  const { numClasses } = opts;
  const weightsPerClass = opts.classWeights
    ? balancedClassWeights(
        data.train.map((s) => s.label),
        numClasses,
      )
    : new Array(numClasses).fill(1);
  const optimizer = tf.train.adam(opts.learningRate);
  let rng = new Rng(opts.seed);
  let history: EpochRecord[] = [];
  let best: FoldCheckpoint['best'] = null;
  let stale = 0;
  let startEpoch = 0;
  let stoppedEarly = false;
  const stepSize = model.stepShape.reduce((a, b) => a * b, 1);
  const resident = ResidentSteps.create([...data.train, ...data.validation], stepSize);
  let compiled: CompiledStep | null = null;
  const checkpointEveryMs = (opts.checkpointEverySec ?? 20) * 1000;
  let lastCheckpoint = performance.now();
  try {
    if (opts.resume) {
      const r = opts.resume;
      model.setWeights(r.weights);
      if (r.optimizer.length > 2) await restoreOptimizer(optimizer, r.optimizer);
      rng = new Rng(r.rng);
      history = [...r.history];
      best = r.best ? { ...r.best, weights: cloneWeights(r.best.weights) } : null;
      stale = r.stale;
      startEpoch = r.epoch;
      stoppedEarly = r.stoppedEarly;
    }
    // After the optimiser's state is restored: the compiled step reads and writes that state.
    compiled = CompiledStep.forModel(model, optimizer, resident);
    const trainLabels = data.train.map((s) => s.label);
    const validationLabels = data.validation.map((s) => s.label);
    for (let epoch = startEpoch + 1; epoch <= opts.epochs && !stoppedEarly; epoch++) {
      const started = performance.now();
      const order = rng.shuffle(data.train.map((_, i) => i));
      const batches = Math.ceil(order.length / opts.batchSize);
      // Batch losses and correct counts stay on the backend until the epoch ends.
      const losses: tf.Tensor[] = [];
      const corrects: tf.Tensor[] = [];
      const batchIds: string[][] = [];
      let totals = [0, 0];
      try {
        for (let b = 0; b < batches; b++) {
          checkCancel(opts.signal);
          const batch = order.slice(b * opts.batchSize, (b + 1) * opts.batchSize).map((i) => data.train[i]);
          const { loss, correct } = trainBatch(
            model,
            optimizer,
            batch,
            weightsPerClass,
            numClasses,
            resident,
            compiled,
          );
          losses.push(loss);
          corrects.push(correct);
          batchIds.push(batch.map((s) => s.id));
          // The batch event's loss is read asynchronously, not waited for in the step.
          if (opts.onBatch) {
            const report = opts.onBatch;
            const at = b + 1;
            void loss.data().then((v) => report(epoch, at, batches, v[0]));
          }
          // Let cancel messages, timers and the read above run between batches.
          await new Promise((r) => setImmediate(r));
        }
        // One read for the epoch: [sum of loss x batch size, correct predictions].
        let perBatch: Float32Array = new Float32Array(0);
        if (losses.length) {
          perBatch = tf.tidy(() => tf.stack(losses).dataSync() as Float32Array);
          const lossSum = perBatch.reduce((a, l, b) => a + l * batchIds[b].length, 0);
          totals = [lossSum, tf.tidy(() => tf.addN(corrects).dataSync()[0])];
        }
        // A non-finite epoch loss: find the first batch that made it (one read, only then) and
        // stop the fold before its checkpoint, naming that batch's files.
        if (!Number.isFinite(totals[0])) {
          const found = perBatch.findIndex((v) => !Number.isFinite(v));
          const b = found >= 0 ? found : perBatch.length - 1;
          throw new NonFiniteLossError(epoch, b + 1, perBatch[b], batchIds[b]);
        }
      } finally {
        tf.dispose([...losses, ...corrects]);
      }
      const [lossSum, correct] = totals;
      const trained = performance.now();
      checkCancel(opts.signal);
      let valLoss: number | null = null;
      let valAccuracy: number | null = null;
      let valAverageAccuracy: number | null = null;
      if (data.validation.length) {
        const v = scoreSamples(model, data.validation, numClasses, undefined, resident);
        valLoss = v.loss;
        valAccuracy = v.predicted.filter((p, i) => p === validationLabels[i]).length / v.predicted.length;
        valAverageAccuracy = averageRecall(validationLabels, v.predicted, numClasses);
      }
      const ended = performance.now();
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / Math.max(1, trainLabels.length),
        trainAccuracy: correct / Math.max(1, trainLabels.length),
        valLoss,
        valAccuracy,
        valAverageAccuracy,
        seconds: (ended - started) / 1000,
        trainSeconds: (trained - started) / 1000,
        validationSeconds: (ended - trained) / 1000,
      };
      history.push(record);
      // Without a validation set the last epoch is kept.
      const score = valAverageAccuracy ?? epoch;
      if (!best || score > best.score) {
        best = { epoch, score, weights: cloneWeights(model.getWeights()) };
        stale = 0;
      } else {
        stale++;
      }
      if (opts.patience !== undefined && stale >= opts.patience) stoppedEarly = true;
      const snapshot = best;
      const snapStale = stale;
      const snapStopped = stoppedEarly;
      // The first epoch trained is always saved, so a crash soon after still resumes inside the fold.
      const due =
        epoch === startEpoch + 1 ||
        epoch === opts.epochs ||
        stoppedEarly ||
        performance.now() - lastCheckpoint >= checkpointEveryMs;
      if (due) lastCheckpoint = performance.now();
      await opts.onEpoch?.(
        record,
        async () => ({
          epoch,
          weights: model.getWeights(),
          optimizer: await saveOptimizer(optimizer),
          best: snapshot,
          history: [...history],
          rng: rng.state(),
          stale: snapStale,
          stoppedEarly: snapStopped,
        }),
        due,
      );
    }
    if (best) model.setWeights(best.weights);
    return {
      bestEpoch: best?.epoch ?? 0,
      bestScore: best && data.validation.length ? best.score : null,
      history,
      stoppedEarly,
    };
  } finally {
    compiled?.dispose();
    optimizer.dispose();
    resident?.dispose();
  }
}
