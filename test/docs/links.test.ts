/**
 * Every relative link in the docs points at a file or folder that exists (after a move into
 * `docs/`, a link that kept its old relative path breaks silently otherwise).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkTarget, markdownDocuments, ROOT } from './markdown.js';

describe('links in the docs', () => {
  for (const document of markdownDocuments()) {
    it(`${document.path} links only to files that exist`, () => {
      const links = [...document.text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map((match) => match[1]!)
        .filter((link) => !/^[a-z]+:/i.test(link));
      const broken = links.filter((link) => !existsSync(join(ROOT, linkTarget(document, link))));
      expect(broken).toEqual([]);
    });
  }
});
