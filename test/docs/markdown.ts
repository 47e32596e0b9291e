/** The project's Markdown documents, read for the docs tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface MarkdownDocument {
  /** Path from the repository's root, e.g. `docs/options.md`. */
  readonly path: string;
  readonly text: string;
}

/** README, the top-level guides, `docs/` and the benchmark's README. */
export function markdownDocuments(): MarkdownDocument[] {
  const paths = [
    'README.md',
    'CONTRIBUTING.md',
    'ARCHITECTURE.md',
    'CHANGELOG.md',
    'bench/README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
  return paths.map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
}

/** Where a relative link in `document` points, from the repository's root. */
export function linkTarget(document: MarkdownDocument, link: string): string {
  return relative(ROOT, resolve(ROOT, dirname(document.path), link));
}
