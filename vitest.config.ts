import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The renderer's `@shared/*` alias (electron.vite.config.ts), for renderer modules under test.
  resolve: { alias: { '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)) } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous: several suites train real models in real child processes on 2 shared cores.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two cores: more workers only thrash the tfjs-heavy suites.
    maxWorkers: 2,
  },
});
