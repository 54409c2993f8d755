/** Speaker-independent cross-validation folds and their exports. */
export * from './folds';
export * from './export';
export * from './cross-corpus';
