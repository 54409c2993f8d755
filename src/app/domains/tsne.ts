/**
 * The Results view's t-SNE / UMAP of a run's LSTM activations: the engine's per-fold embedding
 * (src/engine/runs/embedding.ts), run in the t-SNE task lane, and the all-speakers visualisation
 * model's (src/engine/runs/visualisation.ts), trained and embedded in its own task lane.
 */
export { runTsne, type EmbeddingMethod, type EmbeddingRequest } from '../../engine/runs/embedding';
export { visualisationTsne } from '../../engine/runs/visualisation';
