/**
 * The browser entry point must never reach `ws` (a Node-only package) through its imports, and
 * package.json must route browsers and workers to it.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every module specifier reachable from `entry` through relative imports, bare ones included once. */
function reachableImports(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]/g)) {
      if (specifier!.startsWith('.')) visit(resolve(dirname(file), specifier!.replace(/\.js$/, '.ts')));
      else packages.add(specifier!);
    }
  };
  visit(resolve(root, entry));
  return { files, packages };
}

describe('entry points', () => {
  it('keeps ws out of everything the browser entry imports', () => {
    const { files, packages } = reachableImports('src/index.browser.ts');
    expect(files.size).toBeGreaterThan(10);
    expect([...packages].sort()).toEqual(['xstate']);
  });

  it('imports ws from the Node entry', () => {
    expect(reachableImports('src/index.ts').packages).toContain('ws');
  });

  it('routes browsers and workers to the browser entry, Node to the ws one', () => {
    const { exports } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
    };
    const main = exports['.']!;
    expect(main).toMatchObject({
      browser: './dist/src/index.browser.js',
      worker: './dist/src/index.browser.js',
      node: './dist/src/index.js',
      default: './dist/src/index.browser.js',
    });
    // Conditions are matched in order: browser and worker must come before node.
    const order = Object.keys(main);
    expect(order.indexOf('browser')).toBeLessThan(order.indexOf('node'));
    expect(order.indexOf('worker')).toBeLessThan(order.indexOf('node'));
  });

  it('routes statesock/streams to its own module, which reaches neither ws nor a transport', () => {
    const { exports } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
    };
    expect(exports['./streams']).toEqual({ types: './dist/src/streams/index.d.ts', default: './dist/src/streams/index.js' });
    const { files, packages } = reachableImports('src/streams/index.ts');
    expect(packages).not.toContain('ws');
    expect([...files].some((file) => file.includes('/transports/ws-transport'))).toBe(false);
  });
});
