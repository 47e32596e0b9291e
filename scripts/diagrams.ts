/**
 * `npm run diagrams`: regenerates `diagrams/connection.md`, `diagrams/connection.svg` and the
 * inspector element's copy of that SVG (`src/inspector/connection-diagram.ts`) from
 * `machines/connection.machine.ts`, and `diagrams/session.md` and `.svg` from
 * `machines/session.machine.ts`. Run it after changing a machine; the diagram test fails
 * until the committed files match.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIAGRAM_FILES, renderDiagrams, renderSessionDiagrams, SESSION_DIAGRAM_FILES } from './render-diagrams.js';

const outputs: [path: string, text: string][] = [];
const connection = await renderDiagrams();
for (const kind of ['markdown', 'svg', 'module'] as const) outputs.push([DIAGRAM_FILES[kind], connection[kind]]);
const session = await renderSessionDiagrams();
for (const kind of ['markdown', 'svg'] as const) outputs.push([SESSION_DIAGRAM_FILES[kind], session[kind]]);

for (const [file, text] of outputs) {
  // Resolved from this file, not the working directory, so the script runs from anywhere.
  const path = fileURLToPath(new URL(`../${file}`, import.meta.url));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  console.log(`wrote ${file}`);
}
