import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import prettier from 'eslint-config-prettier';

// Layers (docs/architecture.md): what each zone of src/ may import. A forbidden import is a lint
// error, so a layer cannot leak by accident.
const ours = (...dirs) => dirs.map((d) => `**/${d}/**`);
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'electron'];
const zone = (files, group, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group, message }] }] },
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'e2e-artifacts/**', '.runs/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
  zone(
    ['src/engine/**/*.ts'],
    [...ours('app', 'server', 'main', 'preload', 'renderer', 'worker', 'cli'), 'electron'],
    'The engine is plain TypeScript used by every face: it imports only src/engine, src/shared and packages.',
  ),
  zone(
    ['src/app/**/*.ts'],
    [...ours('server', 'main', 'preload', 'renderer', 'cli'), 'electron'],
    'The application layer is shared by Electron main and served mode: it imports the engine, src/shared and the worker launcher, never a face.',
  ),
  zone(
    ['src/server/**/*.ts'],
    [...ours('main', 'preload', 'renderer', 'cli'), 'electron'],
    'Served mode is a face over src/app: HTTP, WebSocket and the token only, no Electron or CLI code.',
  ),
  zone(
    ['src/main/**/*.ts', 'src/preload/**/*.ts'],
    ours('server', 'renderer', 'cli'),
    'Electron main is a face over src/app: window, IPC and security only, no served-mode or CLI code.',
  ),
  zone(
    ['src/worker/**/*.ts'],
    [...ours('server', 'main', 'preload', 'renderer', 'cli'), 'electron'],
    'Workers run engine and application-layer jobs: no face code.',
  ),
  zone(
    ['src/renderer/**/*.{ts,vue}'],
    [...ours('engine', 'app', 'server', 'main', 'preload', 'worker', 'cli'), ...nodeBuiltins],
    'The renderer speaks only the contract: it imports src/shared, its own code and browser packages.',
  ),
  zone(
    ['src/shared/**/*.ts'],
    ['../*', ...nodeBuiltins],
    'src/shared holds the types and schemas every process shares: it imports nothing else of ours.',
  ),
  prettier,
);
