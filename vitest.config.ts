import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start real servers on port 0; none uses real sleeps, so a hung test is a bug.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
