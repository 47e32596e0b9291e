// @ts-check
/**
 * What both mutation runs share (`stryker.machines.config.mjs`, `stryker.src.config.mjs`),
 * among which where each writes its JSON report, which `scripts/mutation.mjs` reads the scores from.
 *
 * @param {'machines' | 'src'} target
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function shared(target) {
  return {
    mutate: [`${target}/**/*.ts`],
    // Two cores here, and other work runs on them.
    concurrency: 2,
    // A busy machine: a slow run is not a mutant that hangs.
    timeoutFactor: 3,
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${target}.html` },
    jsonReporter: { fileName: `reports/mutation/${target}.json` },
    ignorePatterns: ['dist', 'reports', 'test-artifacts', 'bench/results'],
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
  };
}
