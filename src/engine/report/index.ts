export * from './types';
export * from './paper';
export * from './tables';
export * from './comparison';
export * from './build';
export * from './render';
export * from './html';
export * from './load';
