/**
 * Where training starts in YAMNet. The config says it as `model.yamnet.trainFrom`: 'frozen',
 * 'full' or a block 1..14. Everything that sizes or builds a run needs the first trained block K
 * instead: blocks K..14 train, and K = FROZEN_BLOCK means none does (the LSTM head alone, on cached
 * embeddings). This is the one mapping between the two, shared by the engine and the renderer.
 */

/** YAMNet's convolution blocks (1..14). */
export const YAMNET_BLOCKS = 14;

/** The first trained block of frozen mode: one past the last block, so no block trains. */
export const FROZEN_BLOCK = YAMNET_BLOCKS + 1;

/** `model.yamnet.trainFrom` as the config holds it. */
export type TrainFromSetting = 'frozen' | 'full' | number;

/** The first block that trains: 1 for 'full', FROZEN_BLOCK for 'frozen'. */
export function firstTrainedBlock(trainFrom: TrainFromSetting): number {
  return trainFrom === 'frozen' ? FROZEN_BLOCK : trainFrom === 'full' ? 1 : trainFrom;
}

/** The config's word for a first trained block: 'full' for 1, 'frozen' for FROZEN_BLOCK. */
export function trainFromOfBlock(k: number): 'frozen' | 'full' | number {
  return k === FROZEN_BLOCK ? 'frozen' : k === 1 ? 'full' : k;
}

/** Whether any YAMNet block trains (so the backend needs convolution gradients). */
export function trainsYamnetBlocks(k: number): boolean {
  return k < FROZEN_BLOCK;
}
