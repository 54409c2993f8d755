export * from './cepstra';
export * from './filterbanks';
export * from './spectrum';
export * from './transforms';
