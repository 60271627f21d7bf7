import { defineConfig } from 'vitest/config';

// Tests start real child processes (hubs, servers, Chroma); on a loaded 2-core machine a start can take
// seconds, so the limits are generous. They bound hangs; speed is measured by the benchmarks.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
