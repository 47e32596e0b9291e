/**
 * The main vitest config, with its test files run fastest layer first: mutation testing stops
 * each run at the first failing test (`--bail=1`, and StrykerJS's vitest runner bails too),
 * while vitest's own order runs the slowest file first. Used by `stryker.machines.config.mjs`
 * (which names the files on its command line) and `stryker.src.config.mjs` (`testFiles`).
 */
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from './vitest.config.js';

/** Each layer's place in the order: the pure machine's and the in-memory session tests take seconds, the generated paths and properties minutes. */
const LAYERS = [
  'test/machine/',
  'test/reliable/',
  'test/shell/',
  'test/integration/',
  'test/model/lifecycle-paths',
  'test/model/coverage',
  'test/model/lifecycle.memory',
  'test/model/',
  'test/properties/',
];

function rank(spec: TestSpecification): number {
  const file = relative(spec.project.config.root, spec.moduleId);
  const index = LAYERS.findIndex((prefix) => file.startsWith(prefix));
  return index === -1 ? LAYERS.length : index;
}

class FastLayersFirst extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return Promise.resolve([...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId)));
  }
}

export default defineConfig({
  ...base,
  // Instrumented code runs many times slower (a test that queues a million messages takes 2 s
  // plain and over 30 s in StrykerJS's first, coverage-measuring run on a busy machine); each
  // mutant still gets its own timeout from that run's times (`timeoutFactor`).
  test: { ...base.test, testTimeout: 180_000, sequence: { sequencer: FastLayersFirst } },
});
