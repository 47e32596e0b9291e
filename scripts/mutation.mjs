// `npm run mutation`: StrykerJS on `machines/` and on `src/` (or on those named), then each
// one's score, counted so: a mutant disabled with a `// Stryker disable` comment
// counts as equivalent only if the comment gives a reason after a colon; one without a reason
// (StrykerJS then reports "Ignored using a comment") counts as survived.
//
// Static mutants left out with `--ignoreStatic` (mutants of code that runs only when its module
// loads) were not tested: they count neither as equivalent nor in the score, and a run that left
// any out is reported partial, its bar not met.
//
// `src/` runs in shards (see `stryker.src.config.mjs`), one StrykerJS run each; its score is that
// of the shards' reports merged, and counts only when every shard has a report of the code as it
// is now (a file changed since its shard ran makes the score stale, its bar not met).
//
// Usage: node scripts/mutation.mjs [machines] [src | src:<shard>...] [-- <more stryker options, e.g. --force>]
//        node scripts/mutation.mjs scores   (the scores of the reports on disk, running nothing)
// Exits 1 when a run fails, leaves mutants out or scores below its bar.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SHARDS } from '../stryker.src.shards.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The score each directory must reach. */
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

/** Reads a StrykerJS JSON report. */
function readReport(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** One line of a score, for the summary. */
function describe(label, bar, s, files, extra) {
  const verdict = extra.stale ? 'stale: NOT met' : s.notRun > 0 || extra.missing ? 'partial: NOT met' : s.score >= bar ? 'met' : 'NOT met';
  return (
    `${label}: ${s.score.toFixed(2)}% (bar ${bar}%, ${verdict}) over ${files} files: ` +
    `${s.killed} killed, ${s.timedOut} timed out, ${s.survived} survived, ${s.noCoverage} no coverage, ` +
    `${s.equivalent} equivalent by comment, ${s.unexplained} disabled without a reason (counted as survived), ` +
    `${s.notRun} static not run, ${s.errors} invalid` +
    (extra.missing ? `; shards not run yet: ${extra.missing.join(', ')}` : '') +
    (extra.stale ? `; changed since their run, or not in it: ${extra.stale.join(', ')}` : '') +
    (extra.wall === undefined ? '' : `; ${minutes(extra.wall)}`)
  );
}

/** Runs StrykerJS with `config`, in `env`; returns how long it took, or throws what failed. */
function stryker(config, extra, env = {}) {
  const started = Date.now();
  const run = spawnSync('npx', ['stryker', 'run', config, ...extra], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const wall = Date.now() - started;
  if (run.status !== 0) throw new Error(`StrykerJS failed (exit ${run.status}) after ${minutes(wall)}`);
  return wall;
}

/** Whether `file` matches one of a shard's `mutate` globs and none of its `!` exclusions. */
export function mutates(patterns, file) {
  const included = patterns.filter((glob) => !glob.startsWith('!'));
  const excluded = patterns.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  return included.some((glob) => globMatches(glob, file)) && !excluded.some((glob) => globMatches(glob, file));
}

/** The globs the shards use: literal paths, `*` within a directory, `**\/` for any depth of directories. */
function globMatches(glob, file) {
  const pattern = glob
    .split('**/')
    .map((part) =>
      part
        .split('*')
        .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('(?:.*/)?');
  return new RegExp(`^${pattern}$`).test(file);
}

/**
 * Shard `name`'s last report with only the files it mutates (StrykerJS's incremental run carries
 * over results of files a shard no longer mutates), or `undefined` if it has none.
 */
function shardReport(name) {
  const path = `${root}reports/mutation/src/${name}.json`;
  if (!existsSync(path)) return undefined;
  const report = readReport(path);
  const files = Object.entries(report.files).filter(([file]) => mutates(SHARDS[name].mutate, file));
  return { ...report, files: Object.fromEntries(files) };
}

/** The files of `report` whose source is no longer what was mutated. */
function changedSince(report) {
  return Object.entries(report.files)
    .filter(([file, result]) => !existsSync(`${root}${file}`) || readFileSync(`${root}${file}`, 'utf8') !== result.source)
    .map(([file]) => file);
}

/**
 * The `machines/` report, with the files it mutated whose source changed since, and the files
 * of `machines/` it lacks (a machine added since; `*.types.ts` hold types only, no mutants).
 */
function machinesReport() {
  const report = readReport(`${root}reports/mutation/machines.json`);
  const files = readdirSync(`${root}machines`, { recursive: true }).map((file) => `machines/${String(file).replaceAll('\\', '/')}`);
  return { report, stale: [...changedSince(report), ...notMutated(files, report)] };
}

/** The machine sources among `files` that `report` has no results for (`*.types.ts` hold types only: no mutants). */
export function notMutated(files, report) {
  return files.filter((file) => file.endsWith('.ts') && !file.endsWith('.types.ts') && !(file in report.files));
}

/**
 * The shards' reports merged into `reports/mutation/src.json`, with the shards that have none,
 * the mutated files whose source changed since their shard's report, and each shard's report.
 */
export function mergeShards(shardNames = Object.keys(SHARDS)) {
  const merged = { schemaVersion: '1', thresholds: { high: 80, low: 60 }, files: {} };
  const missing = [];
  const stale = [];
  const reports = new Map();
  for (const name of shardNames) {
    const report = shardReport(name);
    if (report === undefined) {
      missing.push(name);
      continue;
    }
    reports.set(name, report);
    stale.push(...changedSince(report));
    Object.assign(merged.files, report.files);
  }
  writeFileSync(`${root}reports/mutation/src.json`, JSON.stringify(merged));
  return { merged, missing, stale, reports };
}

/** Adds the line of the `machines/` score to `lines`; returns whether it meets its bar. */
function scoreMachines(lines, extra) {
  const { report, stale } = machinesReport();
  const s = score(report);
  lines.push(
    describe('machines/', BARS.machines, s, Object.keys(report.files).length, { ...extra, ...(stale.length > 0 ? { stale } : {}) }),
  );
  return s.score >= BARS.machines && s.notRun === 0 && stale.length === 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dash = process.argv.indexOf('--');
  const names = dash === -1 ? process.argv.slice(2) : process.argv.slice(2, dash);
  const extra = dash === -1 ? [] : process.argv.slice(dash + 1);
  const scoresOnly = names.includes('scores');
  const requested = scoresOnly ? [] : names.length === 0 ? Object.keys(BARS) : names;
  const lines = [];
  let ok = true;
  for (const target of requested.filter((name) => !name.startsWith('src:'))) {
    if (!(target in BARS)) throw new Error(`unknown target ${target}: expected machines, src or src:<shard>`);
    if (target === 'machines') {
      try {
        const wall = stryker('stryker.machines.config.mjs', extra);
        ok &&= scoreMachines(lines, { wall });
      } catch (error) {
        ok = false;
        lines.push(`machines/: ${error.message}`);
      }
    }
  }
  if (scoresOnly && existsSync(`${root}reports/mutation/machines.json`)) ok &&= scoreMachines(lines, {});
  else if (scoresOnly) {
    ok = false;
    lines.push('machines/: no report yet');
  }
  const shards = requested.includes('src')
    ? Object.keys(SHARDS)
    : requested.filter((name) => name.startsWith('src:')).map((name) => name.slice(4));
  for (const shard of shards)
    if (!(shard in SHARDS)) throw new Error(`unknown shard ${shard}: expected one of ${Object.keys(SHARDS).join(', ')}`);
  if (shards.length > 0 || scoresOnly) {
    mkdirSync(`${root}reports/mutation/src`, { recursive: true });
    for (const shard of shards) {
      try {
        const wall = stryker('stryker.src.config.mjs', extra, { STRYKER_SHARD: shard });
        const report = shardReport(shard);
        lines.push(describe(`src/ shard ${shard}`, BARS.src, score(report), Object.keys(report.files).length, { wall }));
      } catch (error) {
        ok = false;
        lines.push(`src/ shard ${shard}: ${error.message}`);
      }
    }
    const { merged, missing, stale, reports } = mergeShards();
    if (scoresOnly) {
      for (const [shard, report] of reports) {
        lines.push(describe(`src/ shard ${shard}`, BARS.src, score(report), Object.keys(report.files).length, {}));
      }
    }
    const s = score(merged);
    ok &&= s.score >= BARS.src && s.notRun === 0 && missing.length === 0 && stale.length === 0;
    lines.push(
      describe('src/ (all shards)', BARS.src, s, Object.keys(merged.files).length, {
        ...(missing.length > 0 ? { missing } : {}),
        ...(stale.length > 0 ? { stale } : {}),
      }),
    );
  }
  console.log(`\nMutation scores:\n${lines.map((line) => `  ${line}`).join('\n')}`);
  process.exit(ok ? 0 : 1);
}
