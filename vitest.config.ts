import { defineConfig } from 'vitest/config';

// Two projects: `unit` (beside the code, no I/O beyond temp files) and `e2e` (test/e2e, against
// the real local control plane, real git and the real renderers).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // bench/ holds the benchmarks' pure parts (status parsing, report formatting) too.
          include: ['packages/*/src/**/*.test.ts', 'bench/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/support/global-setup.ts'],
          setupFiles: ['test/e2e/support/file-cleanup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // The local control plane is shared; files run one at a time against it.
          fileParallelism: false,
        },
      },
    ],
  },
});
