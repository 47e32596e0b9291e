/**
 * `npm run diagrams`: regenerates `diagrams/connection.md`, `diagrams/connection.svg` and the
 * inspector element's copy of that SVG (`src/inspector/connection-diagram.ts`) from
 * `machines/connection.machine.ts`. Run it after changing the machine; the diagram test fails
 * until the committed files match.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIAGRAM_FILES, renderDiagrams } from './render-diagrams.js';

const rendered = await renderDiagrams();
for (const kind of ['markdown', 'svg', 'module'] as const) {
  // Resolved from this file, not the working directory, so the script runs from anywhere.
  const path = fileURLToPath(new URL(`../${DIAGRAM_FILES[kind]}`, import.meta.url));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, rendered[kind]);
  console.log(`wrote ${DIAGRAM_FILES[kind]}`);
}
