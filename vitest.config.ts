import { defineConfig } from 'vitest/config';

export default defineConfig({
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
