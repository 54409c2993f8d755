/**
 * The one tfjs-core instance of the process. `tf.ts` (backend choice) and `native.ts` (loading
 * tfjs-node) both import it from here, so neither has to import the other's module to reach it.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
