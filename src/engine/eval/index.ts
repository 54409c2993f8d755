export * from './metrics';
export * from './summary';
export type * from './types';
