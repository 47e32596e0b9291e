/**
 * `npm run diagrams`: regenerates `diagrams/connection.md` and `diagrams/connection.svg` from
 * `machines/connection.machine.ts`, and `diagrams/session.md` and `.svg` from `machines/session.machine.ts`. Run it after changing the machine; the diagram test fails
 * until the committed files match.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIAGRAM_FILES, renderDiagrams, renderSessionDiagrams, SESSION_DIAGRAM_FILES } from './render-diagrams.js';

for (const [files, rendered] of [
  [DIAGRAM_FILES, await renderDiagrams()],
  [SESSION_DIAGRAM_FILES, await renderSessionDiagrams()],
] as const) {
  for (const kind of ['markdown', 'svg'] as const) {
    // Resolved from this file, not the working directory, so the script runs from anywhere.
    const path = fileURLToPath(new URL(`../${files[kind]}`, import.meta.url));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, rendered[kind]);
    console.log(`wrote ${files[kind]}`);
  }
}
