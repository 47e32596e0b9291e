/**
 * `statesock/react` in headless Chromium with react-dom, once with React 18 and once with React
 * 19 (the page is bundled with `react` and `react-dom` aliased to each), against a `ws` echo
 * server on port 0. Each test uses its own path on the server, so it counts the upgrades it
 * caused; every wait is for a DOM condition, a page value or a server event, bounded.
 */
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleForBrowser,
  launchChromium,
  modulePage,
  openPage,
  serveStatic,
  type PageProblems,
  type StaticServer,
} from '../browser/harness.js';
import { startWsServer, type TestWsServer } from '../support/ws-server.js';
import type { ReactPage } from './page-entry.js';

const here = dirname(fileURLToPath(import.meta.url));
/** A failure bound for each condition, not a delay. */
const BOUND = 10_000;

const VERSIONS = [
  { major: 18, alias: { react: 'react18', 'react-dom': 'react-dom18' } },
  { major: 19, alias: {} },
] as const;

let server: TestWsServer;
let browser: Browser;
/** One page for the file, loaded with each version's bundle in turn: this Chromium runs as one process, which closing a page can end. */
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  server = await startWsServer({ echo: true });
  browser = await launchChromium();
  ({ page, problems } = await openPage(browser, 'about:blank'));
}, 60_000);

afterAll(async () => {
  /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset if beforeAll failed part way */
  expect(problems?.uncaught).toEqual([]);
  // React reports what it finds wrong (a hook misused, a missing key, a hydration mismatch) as console errors.
  expect(problems?.consoleErrors).toEqual([]);
  await browser?.close();
  await server?.close();
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
});

/** The upgrades the server accepted on `path`. */
const upgrades = (path: string) => server.connections.filter(({ request }) => request.url === `/${path}`);

describe.each(VERSIONS)('statesock/react with React $major', ({ major, alias }) => {
  let site: StaticServer;

  beforeAll(async () => {
    const files = await bundleForBrowser([resolve(here, 'page-entry.tsx')], { alias });
    files.set('/', modulePage(['/page-entry.js']));
    site = await serveStatic(files);
    await page.goto(`${site.origin}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => '__reactPage' in globalThis, undefined, { timeout: BOUND });
  }, 60_000);

  afterAll(async () => {
    await page.goto('about:blank');
    await site.close();
  });

  function call<K extends keyof ReactPage>(
    name: K,
    ...args: ReactPage[K] extends (...a: infer A) => unknown ? A : []
  ): Promise<ReactPage[K] extends (...a: never[]) => infer R ? Awaited<R> : ReactPage[K]> {
    return page.evaluate(
      ([method, list]) => {
        const helpers = (globalThis as unknown as { __reactPage: Record<string, unknown> }).__reactPage;
        const member = helpers[method];
        return typeof member === 'function' ? (member as (...a: unknown[]) => unknown)(...list) : member;
      },
      [name, args] as const,
    ) as never;
  }

  const allShow = (root: string, state: string) =>
    expect.poll(async () => (await call('shown', root)).every((shown) => shown.state === state), { timeout: BOUND }).toBe(true);

  it('runs the React version it was bundled with', async () => {
    expect((await call('version')).split('.')[0]).toBe(String(major));
  });

  it('gives two components under StrictMode one connection: the server sees one upgrade', async () => {
    const path = `strict-${major}`;
    const before = await call('sockets');
    await call('mount', 'strict', `${server.url}${path}`, 2, true, { reconnect: false, protocols: [] });
    await allShow('strict', 'open');
    expect(await call('shown', 'strict')).toEqual([
      { state: 'open', readyState: '1' },
      { state: 'open', readyState: '1' },
    ]);
    expect(await call('sameConnection', 'strict', 0, 'strict', 1)).toBe(true);
    // One socket constructed by the page, one upgrade accepted by the server: the double mount made no second one.
    expect((await call('sockets')) - before).toBe(1);
    expect(upgrades(path)).toHaveLength(1);
    await call('unmount', 'strict');
  });

  it('hydrates server-rendered HTML without a mismatch, then opens one connection', async () => {
    const path = `hydrate-${major}`;
    const before = await call('sockets');
    const { socketsAfterRender, html } = await call('hydrate', 'hydrated', `${server.url}${path}`, 2);
    // Rendered to HTML: the connecting state, and no socket.
    expect(socketsAfterRender).toBe(before);
    expect(html).toBe('<p class="client" data-state="connecting" data-ready-state="0"></p>'.repeat(2));
    await allShow('hydrated', 'open');
    expect((await call('sockets')) - before).toBe(1);
    expect(upgrades(path)).toHaveLength(1);
    expect(await call('sameConnection', 'hydrated', 0, 'hydrated', 1)).toBe(true);
    // A mismatch would be a console error, which the file checks at its end.
    await call('unmount', 'hydrated');
  });

  it('hands messages to callbacks without re-rendering, typed ones through the shared JSON channel', async () => {
    const path = `messages-${major}`;
    await call('mount', 'messages', `${server.url}${path}`, 2, false);
    await allShow('messages', 'open');
    const renders = [await call('renders', 'messages', 0), await call('renders', 'messages', 1)];
    for (const text of ['one', 'two', 'three']) expect(await call('send', 'messages', 0, text)).toBe(true);
    expect(await call('sendJson', 'messages', 1, 'typed')).toBe(true);
    await expect.poll(() => call('messages', 'messages', 1), { timeout: BOUND }).toHaveLength(4);
    expect(await call('messages', 'messages', 0)).toEqual(['one', 'two', 'three', '{"type":"echo","text":"typed"}']);
    expect(await call('echoes', 'messages', 0)).toEqual(['typed']);
    expect(await call('echoes', 'messages', 1)).toEqual(['typed']);
    // Four messages heard by both, and neither rendered again.
    expect([await call('renders', 'messages', 0), await call('renders', 'messages', 1)]).toEqual(renders);
    expect(upgrades(path)).toHaveLength(1);
    await call('unmount', 'messages');
  });

  it('keeps the connection through a remount within the release delay, and closes it after the last unmount', async () => {
    const path = `release-${major}`;
    const url = `${server.url}${path}`;
    await call('mount', 'first', url, 1, false);
    await allShow('first', 'open');
    const { socket } = upgrades(path)[0]!; // accepted before the page heard it was
    // A route that goes and comes back: unmounted, and mounted again at once.
    await call('unmount', 'first');
    await call('mount', 'again', url, 1, false);
    await allShow('again', 'open');
    expect(await call('sameConnection', 'again', 0, 'first', 0)).toBe(true);
    expect(upgrades(path)).toHaveLength(1);
    // Options that differ are another connection.
    await call('mount', 'other', url, 1, false, { reconnect: false });
    await allShow('other', 'open');
    expect(await call('sameConnection', 'other', 0, 'again', 0)).toBe(false);
    expect(upgrades(path)).toHaveLength(2);
    await call('unmount', 'other');
    // The last user leaves: the connection closes itself, cleanly, RELEASE_DELAY later.
    const closed = once(socket, 'close');
    await call('unmount', 'again');
    const [code] = (await closed) as [number]; // bounded by the test's timeout
    expect(code).toBe(1000);
    // The server's closing frame may still be on its way to the page.
    await expect.poll(() => call('readyStateOf', 'again', 0), { timeout: BOUND }).toBe(3);
  });

  it('follows a connection it is given, and leaves closing it to its owner', async () => {
    const path = `given-${major}`;
    await call('mountGiven', 'given', `${server.url}${path}`);
    await allShow('given', 'open');
    await call('unmount', 'given');
    expect(await call('readyStateOf', 'given', 0)).toBe(1);
    await call('closeGiven', 'given');
    expect(await call('readyStateOf', 'given', 0)).toBe(3);
    expect(upgrades(path)).toHaveLength(1);
  });
});
