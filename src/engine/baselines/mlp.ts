/**
 * Multilayer perceptron (tfjs): d → 256 ReLU → numClasses softmax, Glorot-uniform weights drawn
 * from the fold seed, L2 penalty 1e-3 on both weight matrices, Adam (learning rate 1e-3),
 * mini-batches of 32 in a seeded shuffle, cross-entropy loss.
 *
 * Early stopping on the validation speakers: up to 200 epochs, stop after 20 epochs without a
 * lower validation loss, keep the weights of the best epoch. Without validation data it trains
 * 50 epochs and keeps the last weights. No dropout: tfjs draws a seeded dropout mask identically
 * at every step, and an unseeded one would make results irreproducible.
 */
import { tf } from '../backend/tf';
import { argmax } from './scoring';
import { mulberry32, shuffled } from '../util/random';
import type { ClassifierResult } from './types';

export const MLP_SETTINGS = {
  hidden: 256,
  l2: 1e-3,
  learningRate: 1e-3,
  batchSize: 32,
  maxEpochs: 200,
  patience: 20,
  epochsWithoutValidation: 50,
};

function buildModel(inputDim: number, numClasses: number, seed: number): tf.LayersModel {
  const s = MLP_SETTINGS;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [inputDim],
        units: s.hidden,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        kernelRegularizer: tf.regularizers.l2({ l2: s.l2 }),
      }),
      tf.layers.dense({
        units: numClasses,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
        kernelRegularizer: tf.regularizers.l2({ l2: s.l2 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(s.learningRate), loss: 'categoricalCrossentropy' });
  return model;
}

function lossOf(model: tf.LayersModel, x: tf.Tensor2D, y: tf.Tensor2D): number {
  return tf.tidy(() => {
    const p = (model.predict(x) as tf.Tensor).clipByValue(1e-7, 1 - 1e-7);
    return -tf.sum(tf.mul(y, tf.log(p))).dataSync()[0] / x.shape[0];
  });
}

export async function trainPredictMlp(
  train: { x: number[][]; y: number[] },
  validation: { x: number[][]; y: number[] },
  test: number[][],
  opts: { seed: number; numClasses: number },
): Promise<ClassifierResult> {
  const s = MLP_SETTINGS;
  const d = train.x[0].length;
  const rng = mulberry32(opts.seed);
  const model = buildModel(d, opts.numClasses, opts.seed);
  const xTrain = tf.tensor2d(train.x, [train.x.length, d]);
  const yTrain = tf.oneHot(tf.tensor1d(train.y, 'int32'), opts.numClasses).toFloat() as tf.Tensor2D;
  const hasVal = validation.x.length > 0;
  const xVal = hasVal ? tf.tensor2d(validation.x, [validation.x.length, d]) : null;
  const yVal = hasVal
    ? (tf.oneHot(tf.tensor1d(validation.y, 'int32'), opts.numClasses).toFloat() as tf.Tensor2D)
    : null;
  let best: { loss: number; epoch: number; weights: tf.Tensor[] } | null = null;
  let trained = 0;
  try {
    const maxEpochs = hasVal ? s.maxEpochs : s.epochsWithoutValidation;
    const order = Array.from({ length: train.x.length }, (_, i) => i);
    for (let epoch = 0; epoch < maxEpochs; epoch++) {
      const perm = tf.tensor1d(shuffled(order, rng), 'int32');
      const xE = tf.gather(xTrain, perm);
      const yE = tf.gather(yTrain, perm);
      await model.fit(xE, yE, { epochs: 1, batchSize: s.batchSize, shuffle: false, verbose: 0 });
      tf.dispose([perm, xE, yE]);
      trained = epoch + 1;
      if (!xVal || !yVal) continue;
      const loss = lossOf(model, xVal, yVal);
      if (!best || loss < best.loss) {
        if (best) tf.dispose(best.weights);
        best = { loss, epoch: trained, weights: model.getWeights().map((w) => w.clone()) };
      } else if (trained - best.epoch >= s.patience) {
        break;
      }
    }
    if (best) model.setWeights(best.weights);
    const probabilities =
      test.length === 0
        ? []
        : tf.tidy(() => (model.predict(tf.tensor2d(test, [test.length, d])) as tf.Tensor2D).arraySync());
    return {
      predictions: probabilities.map(argmax),
      probabilities,
      epochs: { trained, best: best?.epoch ?? trained },
    };
  } finally {
    tf.dispose([xTrain, yTrain, ...(xVal ? [xVal] : []), ...(yVal ? [yVal] : []), ...(best?.weights ?? [])]);
    model.dispose();
  }
}
