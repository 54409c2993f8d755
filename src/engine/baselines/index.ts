export * from './types';
export { trainAndPredict } from './classifiers';
export { fitStandardizer, applyStandardizer, type Standardizer } from './standardize';
export { RF_SETTINGS } from './random-forest';
export { SVM_GRID } from './svm';
export { MLP_SETTINGS } from './mlp';
export {
  extractBaselineFeatures,
  extractFeatureSets,
  embeddingStatistics,
  featureParts,
  featureSetDim,
  partDim,
  type ExtractOptions,
  type FeaturePart,
  type YamnetForFeatures,
} from './features';
export { BaselineFeatureCache, defaultBaselineCacheDir } from './feature-cache';
export * from './runner';
