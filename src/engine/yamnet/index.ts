/** YAMNet in tfjs: the trainable layers model, pretrained weight loaders, weights store, checks. */
export {
  YAMNET_LAYERS,
  NUM_BLOCKS,
  PATCH_SHAPE,
  EMBEDDING_SIZE,
  NUM_CLASSES,
  BN_EPSILON,
  blockInputShape,
  type YamnetLayer,
} from './layers';
export {
  buildYamnet,
  YamnetModel,
  setYamnetWeights,
  getYamnetWeights,
  randomYamnetWeights,
  modelInputShape,
  EMBEDDING_LAYER,
  type BuildOptions,
  type PatchesInput,
  type InferenceOptions,
} from './model';
export { expectedWeights, checkWeights, type YamnetWeights, type WeightTensor } from './weights';
export {
  loadYamnet,
  readYamnetWeights,
  locateWeights,
  describeWeights,
  type WeightsFormat,
  type WeightsLocation,
} from './load';
export { readGraphWeights, graphModelHandler, GRAPH_PREFIX } from './graph-format';
export { readKerasH5Weights, foldBatchNorm } from './keras-h5';
export {
  classifyGraphFiles,
  OFFICIAL_TFHUB_SHA256,
  RECONSTRUCTED_SHA256,
  type WeightsProvenance,
  type WeightsSourceKind,
} from './provenance';
export {
  resolveWeightsSource,
  findWeightsSource,
  weightsStatus,
  downloadWeights,
  importWeights,
  storeDir,
  sharedWeightsDir,
  type ResolvedWeights,
  type WeightsStatus,
  type InstalledWeights,
} from './store';
export { readClassMap, parseClassMap, findClassMap, type YamnetClass } from './class-map';
export {
  runUpstreamCheck,
  upstreamSignals,
  meanScores,
  numpyLegacyUniform,
  type CheckResult,
} from './upstream-check';
export { registerWasmTrainingKernels, missingTrainingKernels } from './wasm-gradients';
