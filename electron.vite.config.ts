import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const root = fileURLToPath(new URL('.', import.meta.url));

// `@shared/contract` instead of `../../../shared/contract`, in every bundle (tsconfig*.json have the
// same path; tsx reads it from tsconfig.json for the CLI and the worker processes).
const alias = { '@shared': resolve(root, 'src/shared') };

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          // The training worker Electron starts with utilityProcess.fork.
          worker: resolve(root, 'src/worker/entry.ts'),
          // Heavy request handlers (calibration, t-SNE, indexing), also as utility processes.
          task: resolve(root, 'src/worker/task-entry.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads must be CommonJS.
      rollupOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [vue()],
    resolve: { alias },
    build: {
      outDir: resolve(root, 'out/renderer'),
      chunkSizeWarningLimit: 6000,
      rollupOptions: { input: resolve(root, 'src/renderer/index.html') },
    },
  },
});
