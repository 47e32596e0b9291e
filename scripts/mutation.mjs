// `npm run mutation`: StrykerJS on `machines/` and on `src/` (or on those named), then each
// one's score, counted as issue 14 asks: a mutant disabled with a `// Stryker disable` comment
// counts as equivalent only if the comment gives a reason after a colon; one without a reason
// (StrykerJS then reports "Ignored using a comment") counts as survived.
//
// Static mutants left out with `--ignoreStatic` (mutants of code that runs only when its module
// loads) were not tested: they count neither as equivalent nor in the score, and a run that left
// any out is reported partial, its bar not met.
//
// Usage: node scripts/mutation.mjs [machines] [src] [-- <more stryker options, e.g. --force>]
// Exits 1 when a run fails, leaves mutants out or scores below its bar.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The score each directory must reach (issue 14). */
const BARS = { machines: 95, src: 85 };
/** What StrykerJS records as the reason of a disable comment that gives none. */
const NO_REASON = 'Ignored using a comment';
/** What StrykerJS records as the reason of a static mutant left out by `--ignoreStatic`. */
const STATIC = 'Static mutant (and "ignoreStatic" was enabled)';

/** Counts of a StrykerJS JSON report's mutants, and the score from them. */
export function score(report) {
  const counts = { killed: 0, timedOut: 0, survived: 0, noCoverage: 0, equivalent: 0, unexplained: 0, notRun: 0, errors: 0 };
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) {
      switch (mutant.status) {
        case 'Killed':
          counts.killed++;
          break;
        case 'Timeout':
          counts.timedOut++;
          break;
        case 'Survived':
          counts.survived++;
          break;
        case 'NoCoverage':
          counts.noCoverage++;
          break;
        case 'Ignored':
          if ((mutant.statusReason ?? NO_REASON).trim() === NO_REASON) counts.unexplained++;
          else if (mutant.statusReason?.trim() === STATIC) counts.notRun++;
          else counts.equivalent++;
          break;
        default:
          counts.errors++; // CompileError, RuntimeError: not a valid mutant
      }
    }
  }
  const detected = counts.killed + counts.timedOut;
  const valid = detected + counts.survived + counts.noCoverage + counts.unexplained;
  return { ...counts, score: valid === 0 ? 100 : (100 * detected) / valid };
}

function minutes(ms) {
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dash = process.argv.indexOf('--');
  const names = dash === -1 ? process.argv.slice(2) : process.argv.slice(2, dash);
  const extra = dash === -1 ? [] : process.argv.slice(dash + 1);
  const targets = names.length === 0 ? Object.keys(BARS) : names;
  const lines = [];
  let ok = true;
  for (const target of targets) {
    if (!(target in BARS)) throw new Error(`unknown target ${target}: expected ${Object.keys(BARS).join(' or ')}`);
    const started = Date.now();
    const run = spawnSync('npx', ['stryker', 'run', `stryker.${target}.config.mjs`, ...extra], { cwd: root, stdio: 'inherit' });
    const wall = Date.now() - started;
    if (run.status !== 0) {
      ok = false;
      lines.push(`${target}/: StrykerJS failed (exit ${run.status}) after ${minutes(wall)}`);
      continue;
    }
    const report = JSON.parse(readFileSync(`${root}reports/mutation/${target}.json`, 'utf8'));
    const s = score(report);
    const pass = s.score >= BARS[target] && s.notRun === 0;
    ok &&= pass;
    const verdict = s.notRun > 0 ? 'partial: NOT met' : pass ? 'met' : 'NOT met';
    lines.push(
      `${target}/: ${s.score.toFixed(2)}% (bar ${BARS[target]}%, ${verdict}) over ${Object.keys(report.files).length} files: ` +
        `${s.killed} killed, ${s.timedOut} timed out, ${s.survived} survived, ${s.noCoverage} no coverage, ` +
        `${s.equivalent} equivalent by comment, ${s.unexplained} disabled without a reason (counted as survived), ` +
        `${s.notRun} static not run, ${s.errors} invalid; ${minutes(wall)}`,
    );
  }
  console.log(`\nMutation scores:\n${lines.map((line) => `  ${line}`).join('\n')}`);
  process.exit(ok ? 0 : 1);
}
