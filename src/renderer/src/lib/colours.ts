/** One colour per class / speaker, stable across figures. */
const PALETTE = [
  '#d94f4f',
  '#e6a23c',
  '#3a7bd5',
  '#5aa469',
  '#8e6bbf',
  '#2bb0b0',
  '#c46aa3',
  '#7f8c8d',
  '#b5882e',
  '#4c5bd4',
];
const CLASS_ORDER = [
  'angry',
  'happy',
  'sad',
  'neutral',
  'calm',
  'fearful',
  'disgust',
  'surprised',
  'boredom',
  'guilt',
];

export function classColour(label: string): string {
  const i = CLASS_ORDER.indexOf(label);
  return PALETTE[(i >= 0 ? i : label.length) % PALETTE.length];
}

export function indexColour(i: number): string {
  return PALETTE[i % PALETTE.length];
}
