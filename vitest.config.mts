import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The long suite has its own config (vitest.long.config.mts, npm run test:long).
    exclude: [...configDefaults.exclude, 'test/long/**'],
    setupFiles: ['test/setup/logGuard.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The JSON report gives .ci/run its closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', POWERTOOLS_DEV: '' },
  },
});
