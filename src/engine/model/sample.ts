/** One utterance as the model sees it: its cached steps (patches or activations) and its class. */
export interface Sample {
  id: string;
  /** Class index. */
  label: number;
  steps: number;
  data: Float32Array;
}
