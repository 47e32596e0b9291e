/**
 * The browser entry point must never reach `ws` (a Node-only package) through its imports, and
 * package.json must route browsers and workers to it. The optional layers (the inspector element)
 * are reached only through their own entry points, so an application that does not import them
 * pays nothing for them.
 */
import { readdirSync, readFileSync } from 'node:fs';
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

  it('keeps the inspector and the React hooks out of everything the main entries import', () => {
    for (const entry of ['src/index.ts', 'src/index.browser.ts']) {
      const { files, packages } = reachableImports(entry);
      expect([...files].filter((file) => file.includes('/src/inspector/') || file.includes('/src/react/'))).toEqual([]);
      expect(packages).not.toContain('react');
    }
    expect(reachableImports('src/react/index.ts').packages).toContain('react');
    expect([...reachableImports('src/inspector/index.ts').files].some((file) => file.endsWith('/src/connection-internals.ts'))).toBe(true);
  });

  it('lets only the inspector entry set the connection-created hook, and only the constructor call it', () => {
    const sources = readdirSync(resolve(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.ts'));
    const using = (pattern: RegExp) => sources.filter((path) => pattern.test(readFileSync(resolve(root, 'src', path), 'utf8'))).sort();
    expect(using(/\bonConnectionCreated\(/)).toEqual(['connection-internals.ts', 'inspector/registry.ts']);
    expect(using(/\bconnectionCreated\?\.\(/)).toEqual(['connection.ts']);
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

  it('exports the React hooks as their own entry, with React an optional peer', () => {
    const { exports, peerDependencies, peerDependenciesMeta, sideEffects } = JSON.parse(
      readFileSync(resolve(root, 'package.json'), 'utf8'),
    ) as {
      exports: Record<string, Record<string, string>>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
      sideEffects: string[];
    };
    expect(exports['./react']).toEqual({ types: './dist/src/react/index.d.ts', default: './dist/src/react/index.js' });
    expect(peerDependencies.react).toBe('^18.0.0 || ^19.0.0');
    expect(peerDependenciesMeta.react?.optional).toBe(true);
    // Nothing happens on import: a bundler may drop whatever the application does not use.
    expect(sideEffects.filter((path) => path.includes('/react/'))).toEqual([]);
  });

  it('exports the inspector as its own entry, which bundlers keep for its side effects', () => {
    const { exports, sideEffects } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
      sideEffects: string[];
    };
    expect(exports['./inspector']).toEqual({ types: './dist/src/inspector/index.d.ts', default: './dist/src/inspector/index.js' });
    // `import 'statesock/inspector'` imports nothing by name: without this, a bundler would drop it.
    expect(sideEffects).toContain('./dist/src/inspector/index.js');
    // And the sources, which the playground and the examples bundle: esbuild reads the same list for them.
    expect(sideEffects).toContain('./src/inspector/index.ts');
  });

  it('keeps ws out of everything the reliable sessions browser entry imports, and keeps the server out of it', () => {
    const { files, packages } = reachableImports('src/reliable/index.browser.ts');
    expect([...packages].sort()).toEqual(['xstate']);
    expect([...files].some((file) => file.includes('/src/server/'))).toBe(false);
  });

  it('imports ws from the reliable sessions Node entry', () => {
    expect(reachableImports('src/reliable/index.ts').packages).toContain('ws');
  });

  it('routes statesock/reliable as the main entry, and statesock/server to Node only', () => {
    const { exports } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
    };
    expect(exports['./reliable']).toEqual({
      types: './dist/src/reliable/index.d.ts',
      browser: './dist/src/reliable/index.browser.js',
      worker: './dist/src/reliable/index.browser.js',
      node: './dist/src/reliable/index.js',
      default: './dist/src/reliable/index.browser.js',
    });
    expect(exports['./server']).toEqual({ types: './dist/src/server/index.d.ts', node: './dist/src/server/index.js' });
    // The server entry reaches no client transport and nothing of the connection's machine.
    const server = reachableImports('src/server/index.ts');
    expect([...server.packages].sort()).toEqual(['node:crypto', 'node:http', 'ws']);
    expect([...server.files].some((file) => file.includes('machines/'))).toBe(false);
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
