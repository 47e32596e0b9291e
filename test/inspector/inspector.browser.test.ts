/**
 * `<statesock-inspector>` on a plain page in headless Chromium, against real `ws` servers on
 * port 0: it shows a connection created before it with the committed statechart, live and
 * highlighted, its log from creation, the queue and `bufferedAmount`; it shows the one connection
 * it is given, and every live connection of the page otherwise. A fresh page per test; every
 * wait is for a DOM condition or a connection event, bounded.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleForBrowser,
  launchChromium,
  modulePage,
  openPage,
  serveStatic,
  type PageProblems,
  type StaticServer,
} from '../browser/harness.js';
import { startStallingServer, startWsServer, type StallingServer, type TestWsServer } from '../support/ws-server.js';
import type { InspectorPage } from './page-entry.js';

const here = dirname(fileURLToPath(import.meta.url));
const DIAGRAM_FILE = resolve(here, '../../diagrams/connection.svg');
const ARTIFACTS = resolve(here, '../../test-artifacts');
/** A failure bound for each condition, not a delay. */
const BOUND = 10_000;

let site: StaticServer;
let server: TestWsServer;
let stalling: StallingServer;
let browser: Browser;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  const files = await bundleForBrowser([resolve(here, 'page-entry.ts')], { splitting: true });
  files.set('/', modulePage(['/page-entry.js']));
  site = await serveStatic(files);
  server = await startWsServer();
  stalling = await startStallingServer();
  browser = await launchChromium();
  // One page, loaded afresh for each test: this Chromium runs as one process, which closing a page can end.
  ({ page, problems } = await openPage(browser, 'about:blank'));
  await page.setViewportSize({ width: 1280, height: 900 });
}, 60_000);

afterAll(async () => {
  // Set by beforeAll, unless it failed part way: then some are still undefined.
  /* eslint-disable @typescript-eslint/no-unnecessary-condition */
  await browser?.close();
  await server?.close();
  await stalling?.close();
  await site?.close();
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
});

/** The page loaded afresh: what one test imports or creates is not the next one's. */
async function freshPage(): Promise<void> {
  await page.goto(`${site.origin}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => '__inspectorPage' in globalThis, undefined, { timeout: BOUND });
}

afterEach(() => {
  expect(problems.uncaught).toEqual([]);
});

/** Calls a page helper by name with JSON arguments. */
function call<K extends keyof InspectorPage>(
  name: K,
  ...args: Parameters<InspectorPage[K]>
): Promise<Awaited<ReturnType<InspectorPage[K]>>> {
  return page.evaluate(
    ([method, list]) => {
      const helpers = (globalThis as unknown as { __inspectorPage: Record<string, (...a: unknown[]) => unknown> }).__inspectorPage;
      return helpers[method]!(...list);
    },
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<InspectorPage[K]>>>;
}

/** The n-th connection the element shows, newest first. */
const section = (n = 0) => page.locator('statesock-inspector .connection').nth(n);

async function logOf(n = 0): Promise<{ kind: string; text: string }[]> {
  return section(n)
    .locator('.log li')
    .evaluateAll((items) =>
      items.map((item) => ({ kind: (item as HTMLElement).dataset.kind ?? '', text: item.querySelector('span')?.textContent ?? '' })),
    );
}

describe('<statesock-inspector> in Chromium', () => {
  it('shows a connection created before it: the committed statechart, live, with the current state highlighted', async () => {
    await freshPage();
    await call('importInspector');
    const index = await call('connect', server.url, true);
    await call('waitForState', index, 'open');
    // The server saw the handshake complete before the page did.
    const accepted = server.connections.at(-1)!;
    await call('addInspector');

    await expect.poll(() => section().locator('g.node.current > title').textContent(), { timeout: BOUND }).toBe('connection.open');
    expect(await section().locator('summary .state').textContent()).toBe('open');
    expect(await page.locator('statesock-inspector .connection').count()).toBe(1);
    // What it reported before the element existed is in the log.
    expect(await logOf()).toEqual([
      { kind: 'state', text: 'connecting (readyState 0)' },
      { kind: 'open', text: 'subprotocol ""' },
      { kind: 'state', text: 'open (readyState 1)' },
    ]);

    // The server ends it with an application code, which the default policy does not retry.
    accepted.socket.close(4001, 'bye');
    await expect.poll(() => section().locator('g.node.current > title').textContent(), { timeout: BOUND }).toBe('connection.gaveUp');
    const taken = await section().locator('g.edge.taken > title').allTextContents();
    expect(taken.sort()).toEqual(['connection.attemptEnded->connection.gaveUp', 'connection.open->connection.attemptEnded']);
    const log = await logOf();
    expect(log.slice(3)).toEqual([
      { kind: 'machine', text: 'socket.close' },
      { kind: 'close', text: '4001 "bye" normal clean' },
      { kind: 'giveup', text: 'not-retryable after 4001 normal' },
      { kind: 'state', text: 'gaveUp (readyState 3)' },
    ]);
    await expect.poll(() => section().getAttribute('data-ended'), { timeout: BOUND }).toBe('true');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/inspector.png`, fullPage: true });
  });

  it('draws diagrams/connection.svg unchanged but for the highlight, with labels readable at normal zoom', async () => {
    await freshPage();
    await call('importInspector');
    await call('connect', server.url);
    await call('addInspector');
    await section().locator('g.node.current').waitFor({ timeout: BOUND });

    const committed = await readFile(DIAGRAM_FILE, 'utf8');
    const same = await section().evaluate((element, text) => {
      const original = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
      const shown = element.querySelector('.diagram svg')!.cloneNode(true) as Element;
      for (const marked of shown.querySelectorAll('.current, .active, .taken')) marked.classList.remove('current', 'active', 'taken');
      for (const marked of shown.querySelectorAll('[class=""]')) marked.removeAttribute('class');
      const serialize = (node: Node) => new XMLSerializer().serializeToString(node);
      return serialize(shown) === serialize(original);
    }, committed);
    expect(same).toBe(true);

    // The smallest label (an edge's, 10 pt) is drawn at its own size: about 13 CSS pixels high.
    const heights = () =>
      section()
        .locator('.diagram svg text')
        .evaluateAll((texts) => texts.map((text) => text.getBoundingClientRect().height));
    const readable = await heights();
    expect(readable.length).toBeGreaterThan(60);
    expect(Math.min(...readable)).toBeGreaterThanOrEqual(12);
    // Fit to width shows the whole chart instead, smaller.
    await section().locator('button[data-action="zoom"]').click();
    const width = await section()
      .locator('.diagram')
      .evaluate((box) => box.clientWidth);
    expect(
      await section()
        .locator('.diagram svg')
        .evaluate((svg) => svg.getBoundingClientRect().width),
    ).toBeLessThanOrEqual(width);
    expect(Math.min(...(await heights()))).toBeLessThan(12);
  });

  it('shows the queue and bufferedAmount of a connection that is still connecting', async () => {
    await freshPage();
    await call('importInspector');
    await call('addInspector');
    const reached = stalling.nextSocket();
    const index = await call('connect', stalling.url);
    await reached;
    for (const text of ['one', 'two', 'three!']) expect(await call('send', index, text)).toBe(true);
    await expect.poll(() => section().locator('[data-meter="queued"]').textContent(), { timeout: BOUND }).toBe('3');
    expect(await section().locator('[data-meter="buffered"]').textContent()).toBe('12');
    expect(await section().locator('[data-meter="readyState"]').textContent()).toBe('0');
    expect(await section().locator('g.node.current > title').textContent()).toBe('connection.connecting');
    await call('close', index);
    await expect.poll(() => section().locator('[data-meter="queued"]').textContent(), { timeout: BOUND }).toBe('0');
    await expect
      .poll(() => logOf(), { timeout: BOUND })
      .toContainEqual({ kind: 'undelivered', text: 'closed-before-open: a string of 6 characters' });
    // No payload is ever shown.
    expect(JSON.stringify(await logOf())).not.toMatch(/three!/);
  });

  it('shows the one connection it is given, even one created before statesock/inspector was imported', async () => {
    await freshPage();
    const given = await call('connect', server.url);
    await call('waitForState', given, 'open');
    await call('importInspector');
    const other = await call('connect', server.url);
    await call('waitForState', other, 'open');
    await call('addInspector', given);

    await expect.poll(() => section().locator('g.node.current > title').textContent(), { timeout: BOUND }).toBe('connection.open');
    expect(await page.locator('statesock-inspector .connection').count()).toBe(1);
    // Not recorded before it was given: its log starts then.
    expect(await logOf()).toEqual([]);
    await call('close', given);
    await expect.poll(() => section().locator('g.node.current > title').textContent(), { timeout: BOUND }).toBe('connection.closed');
    expect((await logOf()).map(({ kind, text }) => `${kind} ${text}`)).toEqual([
      'machine user.close',
      'state closing.draining (readyState 2)',
      'machine socket.drained',
      'state closing.handshake (readyState 2)',
      'machine socket.close',
      'close 1000 "done" normal clean',
      'state closed (readyState 3)',
    ]);
  });

  it('shows every live connection, newest first, adds new ones, and folds an ended one when a newer one comes', async () => {
    await freshPage();
    await call('importInspector');
    const first = await call('connect', server.url);
    const second = await call('connect', server.url);
    await call('addInspector');
    await expect.poll(() => page.locator('statesock-inspector .connection').count(), { timeout: BOUND }).toBe(2);
    await call('waitForState', second, 'open');
    await call('close', first);
    const third = await call('connect', server.url);
    await call('waitForState', third, 'open');
    await expect.poll(() => page.locator('statesock-inspector .connection').count(), { timeout: BOUND }).toBe(3);
    const sections = page.locator('statesock-inspector .connection');
    expect(
      await sections.evaluateAll((items) => items.map((item) => [(item as HTMLElement).dataset.state, (item as HTMLDetailsElement).open])),
    ).toEqual([
      ['open', true],
      ['open', true],
      ['closed', false],
    ]);
  });
});
