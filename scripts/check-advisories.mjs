// Checks that every production package package-lock.json installs is at or above the versions
// that fixed its published advisories, as listed in security/advisories.json. A stand-in for
// `npm audit`, which cannot reach its advisory service from the CI machines; run by .ci/run.
//
// A production package with no entry in the table fails too: a dependency nobody has looked up
// is not known to be safe. A version counts as fixed when it is at or above the fix released on
// its own major line, or above every fix listed (a later major).
//
// Usage: node scripts/check-advisories.mjs [--lockfile package-lock.json] [--advisories security/advisories.json]
// Exits 0 when all is well, 1 with one line per problem, 2 for bad input.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function argument(name, fallback) {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : process.argv[index + 1];
}

/** `1.2.3` or `1.2.3-beta.1` as numbers to compare; a prerelease sorts before its release. */
function parse(version) {
  const match = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+.*)?$/.exec(version);
  if (match === null) throw new Error(`not a version: ${JSON.stringify(version)}`);
  return { parts: [Number(match[1]), Number(match[2]), Number(match[3])], prerelease: match[4] !== undefined };
}

function compare(a, b) {
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) if (x.parts[i] !== y.parts[i]) return x.parts[i] - y.parts[i];
  return Number(!x.prerelease) - Number(!y.prerelease);
}

/** Whether `version` has the fix released as `fixed` (one version per maintained major line). */
export function isFixed(version, fixed) {
  const major = parse(version).parts[0];
  const sameLine = fixed.filter((candidate) => parse(candidate).parts[0] === major);
  if (sameLine.length > 0) return sameLine.some((candidate) => compare(version, candidate) >= 0);
  return fixed.every((candidate) => compare(version, candidate) > 0);
}

/** Every production package the lockfile installs, with where and which version: dev-only ones (`dev`, `devOptional`) left out. */
function productionPackages(lock) {
  if (lock.lockfileVersion < 2 || typeof lock.packages !== 'object')
    throw new Error('expected a package-lock.json of lockfileVersion 2 or 3');
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && !entry.dev && !entry.devOptional && !entry.link)
    .map(([path, entry]) => ({
      path,
      name: entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
      version: entry.version,
    }));
}

/** The problems with `lock` against `table`, one line each. */
export function problems(lock, table) {
  const found = [];
  for (const { path, name, version } of productionPackages(lock)) {
    const advisories = table.packages[name];
    if (advisories === undefined) {
      found.push(
        `${name}@${version} (${path}) has no entry in security/advisories.json: look its advisories up and add them (or [] for none)`,
      );
      continue;
    }
    for (const advisory of advisories) {
      if (!isFixed(version, advisory.fixed))
        found.push(
          `${name}@${version} (${path}) is affected by ${advisory.id} (${advisory.summary}); fixed in ${advisory.fixed.join(', ')}: ${advisory.url}`,
        );
    }
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lockfile = argument('--lockfile', `${root}package-lock.json`);
  const advisories = argument('--advisories', `${root}security/advisories.json`);
  let found;
  try {
    found = problems(JSON.parse(readFileSync(lockfile, 'utf8')), JSON.parse(readFileSync(advisories, 'utf8')));
  } catch (error) {
    console.error(`check-advisories: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  if (found.length > 0) {
    console.error(`check-advisories: ${found.length} problem(s) in ${lockfile}:\n${found.map((line) => `  - ${line}`).join('\n')}`);
    process.exit(1);
  }
  const count = productionPackages(JSON.parse(readFileSync(lockfile, 'utf8'))).length;
  console.log(`check-advisories: ${count} production packages, each at or above every fix listed in ${advisories}`);
}
