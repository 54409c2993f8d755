/**
 * tfjs' Adam update as graph nodes (optimizers/adam_optimizer.js), in its order of operations so
 * that compiled and eager steps give the same values:
 *   m ← m·β1 + g·(1−β1);  v ← v·β2 + g²·(1−β2)
 *   θ ← (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε) · (−lr) + θ;  β1ᵗ⁺¹ = β1ᵗ·β1, β2ᵗ⁺¹ = β2ᵗ·β2
 * Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015, Algorithm 1 (with ε added
 * after the bias-corrected root, as tfjs does).
 */
import { DT, type Attr, type GraphBuilder } from './graph-def';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** The graph nodes Adam reads: per variable its value, gradient and two moments; the bias corrections. */
export interface AdamInputs {
  vars: string[];
  grads: string[];
  ms: string[];
  vs: string[];
  accBeta1: string;
  accBeta2: string;
}

const F: Attr = { type: DT.float };

/** Adds the update; its results are the nodes `new_var{i}`, `new_m{i}`, `new_v{i}`, `new_accBeta1/2`. */
export function addAdamUpdate(g: GraphBuilder, at: AdamInputs, adam: AdamSettings): void {
  const c = (value: number): string => g.floatConst(value);
  const [beta1, beta2, oneMinusBeta1, oneMinusBeta2] = [
    adam.beta1,
    adam.beta2,
    1 - adam.beta1,
    1 - adam.beta2,
  ].map(c);
  const epsilon = c(adam.epsilon);
  const negLr = c(-adam.learningRate);
  const one = c(1);
  const correction1 = g.op('Sub', [one, at.accBeta1], { T: F });
  const correction2 = g.op('Sub', [one, at.accBeta2], { T: F });
  const mul = (a: string, b: string): string => g.op('Mul', [a, b], { T: F });
  const add = (a: string, b: string, name?: string): string => g.op('AddV2', [a, b], { T: F }, name);
  const div = (a: string, b: string): string => g.op('RealDiv', [a, b], { T: F });
  at.vars.forEach((variable, i) => {
    const grad = at.grads[i];
    const m = add(mul(at.ms[i], beta1), mul(grad, oneMinusBeta1), `new_m${i}`);
    const v = add(mul(at.vs[i], beta2), mul(g.op('Square', [grad], { T: F }), oneMinusBeta2), `new_v${i}`);
    const step = div(div(m, correction1), add(g.op('Sqrt', [div(v, correction2)], { T: F }), epsilon));
    add(mul(step, negLr), variable, `new_var${i}`);
  });
  g.op('Mul', [at.accBeta1, beta1], { T: F }, 'new_accBeta1');
  g.op('Mul', [at.accBeta2, beta2], { T: F }, 'new_accBeta2');
}
