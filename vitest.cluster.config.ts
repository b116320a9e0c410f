// Cluster tests (npm run test:cluster): real nats-server processes (and HAProxy) on loopback, started by
// test/cluster/natsCluster.ts. Kept out of the unit run (vitest.config.ts) because they need those Debian packages
// and take tens of seconds; files run one after another so only one cluster uses the CPU at a time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
