import { defineConfig } from 'vitest/config';

// The long suite (npm run test:long, run by .ci/run after npm test): the docs executed, and a fresh clone started.
// One file at a time: every page's services listen on the same default ports.
export default defineConfig({
  test: {
    include: ['test/long/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    // The JSON report is summed with npm test's into .ci/run's closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results-long.json' }]],
  },
});
