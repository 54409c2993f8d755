/** Old home of the seeded generator; kept only until bench/accuracy.ts imports util/random. */
export { mulberry32 as seededRandom, deriveSeed } from '../util/random';
