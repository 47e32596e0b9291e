import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests that play an application import the package by name, as an app would; here the
  // names resolve to the sources (CI also imports the built package: scripts/smoke-dist.mjs).
  resolve: {
    alias: [
      { find: /^statesock\/streams$/, replacement: fileURLToPath(new URL('./src/streams/index.ts', import.meta.url)) },
      { find: /^statesock\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
      { find: /^statesock\/react$/, replacement: fileURLToPath(new URL('./src/react/index.ts', import.meta.url)) },
      { find: /^statesock\/inspector$/, replacement: fileURLToPath(new URL('./src/inspector/index.ts', import.meta.url)) },
      { find: /^statesock$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start real servers on port 0; none uses real sleeps, so a hung test is a bug.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
