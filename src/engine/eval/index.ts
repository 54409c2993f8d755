export * from './metrics';
export * from './summary';
export * from './stats';
export * from './speakers';
export * from './compare';
export * from './distributions';
export type * from './types';
