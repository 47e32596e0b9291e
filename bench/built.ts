/**
 * The library as its users run it: the compiled `dist/` (which `npm run bench` builds first),
 * typed by the sources it was compiled from.
 *
 * The bench itself runs through `tsx`, and `tsx` compiles TypeScript with esbuild's `keepNames`:
 * every function with a name, declared or inferred (`const onWritten = () => …`), is renamed by
 * a helper (`__name`, an `Object.defineProperty`) each time it is created. Raw `ws` and the peers
 * run from plain JavaScript and pay nothing of the kind, so the sources measured through `tsx`
 * would be charged for a cost no user pays (on the echo path, about as much CPU as `ws`'s own
 * `send`). Built by `npm run bench`; run `npm run build` first when running `bench/run.ts` directly.
 */
import { existsSync } from 'node:fs';
import type * as Main from '../src/index.js';
import type * as Reliable from '../src/reliable/index.js';
import type * as Server from '../src/server/index.js';
import type * as SessionServer from '../src/server/session-server.js';
import type * as Streams from '../src/streams/index.js';

async function load<Module>(entry: string): Promise<Module> {
  const url = new URL(`../dist/src/${entry}`, import.meta.url);
  if (!existsSync(url)) throw new Error(`bench: ${url.pathname} is missing: run \`npm run build\` first (\`npm run bench\` does)`);
  return (await import(url.href)) as Module;
}

export const statesock = await load<typeof Main>('index.js');
export const streams = await load<typeof Streams>('streams/index.js');
export const reliable = await load<typeof Reliable>('reliable/index.js');
export const server = await load<typeof Server>('server/index.js');
/** The session server's hub, which the package does not export: the server-session memory figure drives it directly. */
export const sessionServer = await load<typeof SessionServer>('server/session-server.js');
