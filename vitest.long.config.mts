import { defineConfig } from 'vitest/config';

// The long suite (npm run test:long, run by .ci/run after npm test): the docs executed, a fresh clone started, the
// framework's own commands (invoke local of every sample, serverless offline, the packaged template), the full
// chaos runs and the 10,000-run fuzz. One file at a time: every page's services listen on the same default ports.
// The functions' log guard (test/setup/logGuard.ts) is imported by the files that run functions in-process; the docs
// test runs commands as a reader would and shows what they print.
export default defineConfig({
  test: {
    include: ['test/long/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', POWERTOOLS_DEV: '', FUZZ_RUNS: '10000' },
    // The JSON report is summed with npm test's into .ci/run's closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results-long.json' }]],
  },
});
