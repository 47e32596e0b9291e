/**
 * `statesock/react` rendered on the server in Node, with React 18 and with React 19: nothing is
 * opened (no connection created, no upgrade at a real `ws` server), the components render the
 * `connecting` state, and `send` says why it cannot. The entry is bundled by esbuild for Node
 * with `react` and `react-dom` aliased to each version, as an application's server build would.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { once } from 'node:events';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startWsServer, type TestWsServer } from '../support/ws-server.js';
import type { ServerRender } from './server-entry.js';

const here = dirname(fileURLToPath(import.meta.url));

let server: TestWsServer;
let folder: string;

beforeAll(async () => {
  server = await startWsServer();
  folder = await mkdtemp(join(tmpdir(), 'statesock-ssr-'));
});

afterAll(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

/** The server entry bundled for Node with `alias`, loaded. */
async function bundled(name: string, alias: Record<string, string>): Promise<{ render: (url: string) => ServerRender }> {
  const result = await build({
    entryPoints: [resolve(here, 'server-entry.tsx')],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    alias,
    logLevel: 'silent',
  });
  const file = join(folder, `${name}.cjs`);
  await writeFile(file, result.outputFiles[0]!.text);
  return (await import(pathToFileURL(file).href)) as { render: (url: string) => ServerRender };
}

describe.each([
  { major: 18, alias: { react: 'react18', 'react-dom': 'react-dom18' } },
  { major: 19, alias: {} },
])('server rendering with React $major', ({ major, alias }) => {
  it('opens nothing, renders the connecting state, and refuses to send', async () => {
    const { render } = await bundled(`react-${major}`, alias);
    const result = render(server.url);
    expect(result.version.split('.')[0]).toBe(String(major));
    expect(result.created).toBe(0);
    expect(result.html.replace(/<!-- -->/g, '')).toBe(
      '<main><p>a: connecting (0) no connection</p><p>b: connecting (0) no connection</p></main>',
    );
    expect(result.sendError).toBe(
      'InvalidStateError: useConnection has no connection during server rendering or hydration: send from an effect or an event handler',
    );
    // Nothing reached the server: a connection created and not counted would have by the time a fresh one does.
    const probe = new WebSocket(server.url);
    await once(probe, 'open');
    probe.close();
    expect(server.connections).toHaveLength(major === 18 ? 1 : 2);
  });
});
