/**
 * Every TypeScript snippet in the docs compiles against the package's real types, as a reader
 * would paste it. A snippet that uses names it does not define (a `url`, the reader's own class)
 * declares them in a comment just above it: `<!-- snippet-context: declare const url: string; -->`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { markdownDocuments, ROOT } from './markdown.js';

const SNIPPET = /(?:<!-- snippet-context: ([^]*?) -->\n[ \t]*)?```ts\n([^]*?)```/g;

interface Snippet {
  readonly where: string;
  readonly file: string;
}

// Inside the repository, so that the snippets' imports resolve from its node_modules, as an
// app's would from its own; an ES module, as an app that uses top-level await is.
mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
const directory = mkdtempSync(join(ROOT, 'test-artifacts', 'snippets-'));
writeFileSync(join(directory, 'package.json'), '{ "type": "module" }\n');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function writeSnippets(): Snippet[] {
  const snippets: Snippet[] = [];
  for (const document of markdownDocuments()) {
    for (const match of document.text.matchAll(SNIPPET)) {
      const line = document.text.slice(0, match.index).split('\n').length;
      const file = join(directory, `${document.path.replace(/\W/g, '_')}_${line}.ts`);
      // `export {}` makes each snippet a module, so top-level await and imports work as in an app.
      writeFileSync(file, `${match[1] ?? ''}\n${match[2]!}\nexport {};\n`);
      snippets.push({ where: `${document.path}:${line}`, file });
    }
  }
  return snippets;
}

describe('TypeScript snippets in the docs', () => {
  const snippets = writeSnippets();

  it('exist (the check below has something to check)', () => {
    expect(snippets.length).toBeGreaterThan(5);
  });

  it('compile against the package', () => {
    const program = ts.createProgram(
      snippets.map((snippet) => snippet.file),
      {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: ['node'],
        baseUrl: ROOT,
        paths: { statesock: ['./src/index.ts'], 'statesock/testing': ['./src/testing/index.ts'] },
        skipLibCheck: true,
      },
    );
    const byFile = new Map(snippets.map((snippet) => [snippet.file, snippet.where]));
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file !== undefined && byFile.has(diagnostic.file.fileName))
      .map((diagnostic) => {
        const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        return `${byFile.get(diagnostic.file!.fileName)} (+${line}): ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
    expect(errors).toEqual([]);
  }, 60_000);
});
