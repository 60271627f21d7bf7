import { defineConfig } from 'vitest/config';

// Tests start real child processes (hubs, servers, Chroma); on a loaded 2-core machine a start can take
// seconds, so the limits are generous. They bound hangs; speed is measured by the benchmarks.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // An empty model store for every test file (test/real-model.test.ts uses the real one).
    setupFiles: ['test/support/model-store-env.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
