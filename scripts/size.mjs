// `npm run size`: what each entry point costs an application's browser bundle, against a budget.
//
// Each row is an entry that imports one thing from the built package by its own name (so the
// `exports` map and its `browser` condition are what resolve it), bundled by esbuild for the
// browser, minified, and compressed with gzip -9. "Own code" is the `createConnection` bundle
// less a bundle of exactly the `xstate` exports the package imports in it: what an application
// that already uses XState pays. partysocket and reconnecting-websocket are measured the same way,
// for comparison, without a budget.
//
// Budgets are in bytes of gzip. The check fails when a row grows past its budget; when a change
// makes a bundle smaller, lower its budget with it.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * The package's entries: what an application imports, and the most its gzip may weigh (each set
 * about 5% above its size when the check was added, so that growth shows and noise does not).
 */
const ENTRIES = [
  { name: '`createConnection`', code: "export { createConnection } from 'statesock';", budget: 26_300 },
  { name: '`ManagedWebSocket`', code: "export { ManagedWebSocket } from 'statesock';", budget: 27_300 },
  { name: '`jsonChannel`', code: "export { jsonChannel } from 'statesock';", budget: 1_700 },
  { name: '`statesock/testing`', code: "export * from 'statesock/testing';", budget: 34_600 },
];
/** Own code: the `createConnection` bundle less the `xstate` exports it uses: 12,204 B now (the hardening added redaction, header checks and rate-limited warnings), plus 5%. The goal is 6 KB. */
const OWN_CODE_BUDGET = 12_800;
/** The peers, measured as they are imported in `bench/clients/peers.ts`. */
const PEERS = [
  { name: 'partysocket `WebSocket`', code: "export { WebSocket } from 'partysocket';" },
  { name: 'reconnecting-websocket', code: "export { default } from 'reconnecting-websocket';" },
];

/** Bundles `code` as an application's browser build would, minified; returns its gzip size and the files it took in. */
async function measure(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: 'js' },
    // The repository's tsconfig maps `statesock` to the sources; an application resolves the package.
    tsconfigRaw: '{}',
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, inputs: Object.keys(result.metafile.inputs) };
}

/** The names the package's built modules in `inputs` import from `xstate` (the build has dropped type-only imports). */
function xstateImports(inputs) {
  const names = new Set();
  for (const input of inputs.filter((path) => path.startsWith('dist/'))) {
    const source = readFileSync(resolve(root, input), 'utf8');
    for (const [, list] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]xstate['"]/g)) {
      for (const name of list.split(',')) if (name.trim() !== '') names.add(name.trim().split(/\s+as\s+/)[0]);
    }
  }
  return [...names].sort();
}

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const rows = [];
let over = 0;
const row = (name, size, budget) => {
  const fits = budget === undefined || size.gzip <= budget;
  if (!fits) over += 1;
  rows.push([
    name,
    size.minified === undefined ? '' : kb(size.minified),
    kb(size.gzip),
    budget === undefined ? '' : `${kb(budget)} ${fits ? '✓' : '✗ over'}`,
  ]);
};

/** The README's figures, `<!-- figure:name -->` markers, and the rows they quote. */
const README_FIGURES = {
  'size-connection': '`createConnection`',
  'size-own': "statesock's own code in `createConnection`",
  'size-partysocket': 'partysocket `WebSocket`',
  'size-rws': 'reconnecting-websocket',
};

const measured = [];
for (const entry of ENTRIES) {
  const size = await measure(entry.code);
  measured.push(size);
  row(entry.name, size, entry.budget);
}
const used = xstateImports(measured[0].inputs);
const xstate = await measure(`export { ${used.join(', ')} } from 'xstate';`);
row(`xstate alone (${used.map((name) => `\`${name}\``).join(', ')})`, xstate);
row("statesock's own code in `createConnection`", { gzip: measured[0].gzip - xstate.gzip }, OWN_CODE_BUDGET);
for (const peer of PEERS) row(peer.name, await measure(peer.code));

const table = [['bundle (browser, minified)', 'minified', 'gzip -9', 'budget'], ...rows];
const widths = table[0].map((_, column) => Math.max(...table.map((cells) => cells[column].length)));
const line = (cells) =>
  `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
console.log(
  [
    line(table[0]),
    `|${widths.map((width, column) => (column === 0 ? `${'-'.repeat(width + 1)}-` : `${'-'.repeat(width + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n'),
);

const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const stale = [];
for (const [figure, rowName] of Object.entries(README_FIGURES)) {
  const quoted = new RegExp(`<!-- figure:${figure} -->([^<]*)<!-- /figure -->`).exec(readme)?.[1];
  const actual = rows.find((cells) => cells[0] === rowName)?.[2];
  if (quoted !== actual) stale.push(`README.md quotes ${figure} as ${quoted ?? '(nothing)'}; measured ${actual}`);
}
if (stale.length > 0) {
  console.error(`\n${stale.join('\n')}\nUpdate the README's figures to what was measured.`);
  process.exitCode = 1;
}
if (over > 0) {
  console.error(
    `\n${over} bundle(s) over budget: find what grew (esbuild --metafile shows each input's bytes), or raise the budget in scripts/size.mjs with the reason in the commit.`,
  );
  process.exit(1);
}
