/**
 * The playground in a real headless Chromium: two pages chat through the embedded server, faults
 * injected from a page move the diagram's highlight to the right state, a bot runs the library
 * inside a Web Worker, and the page draws exactly the committed `diagrams/connection.svg`. One
 * browser for the file; every wait is for a DOM condition, bounded.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIAGRAM_FILE, startPlayground, type Playground } from '../../playground/server.js';
import { launchChromium, openPage, type PageProblems } from '../browser/harness.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** A failure bound for each DOM condition, not a delay. */
const BOUND = 10_000;

let playground: Playground;
let browser: Browser;
let alice: Page;
let bob: Page;
const problems: PageProblems[] = [];

async function openPlayground(name: string): Promise<Page> {
  const opened = await openPage(browser, playground.url);
  problems.push(opened.problems);
  const { page } = opened;
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.locator('#m-state[data-state="open"]').waitFor({ timeout: BOUND });
  await page.fill('#username', name);
  await page.click('#name-form button');
  return page;
}

/** The `<title>` of the diagram's node marked current: the state's id, e.g. `connection.open`. */
function currentNode(page: Page): Promise<string | null> {
  return page.locator('#diagram g.node.current > title').textContent({ timeout: BOUND });
}

/** The event log, oldest first. */
function logLines(page: Page): Promise<{ kind: string; text: string }[]> {
  return page.$$eval('#log li', (items) =>
    items.map((item) => ({ kind: item.dataset.kind ?? '', text: item.querySelector('span')?.textContent ?? '' })),
  );
}

async function waitForState(page: Page, state: string): Promise<void> {
  await page.locator(`#m-state[data-state="${state}"]`).waitFor({ timeout: BOUND });
}

beforeAll(async () => {
  playground = await startPlayground({ port: 0 });
  browser = await launchChromium();
  alice = await openPlayground('alice');
  bob = await openPlayground('bob');
}, 60_000);

afterAll(async () => {
  // Set by beforeAll, unless it failed part way: then some are still undefined.
  /* eslint-disable @typescript-eslint/no-unnecessary-condition */
  await browser?.close();
  await playground?.close();
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
});

describe('the playground in Chromium', () => {
  it('lets two pages chat, each showing the other in its user list and its messages', async () => {
    await alice.locator('#users li', { hasText: 'bob' }).waitFor({ timeout: BOUND });
    await bob.locator('#users li', { hasText: 'alice' }).waitFor({ timeout: BOUND });
    await alice.fill('#text', 'hello bob');
    await alice.press('#text', 'Enter');
    await bob.locator('#messages li', { hasText: 'hello bob' }).filter({ hasText: 'alice' }).waitFor({ timeout: BOUND });
    await bob.fill('#text', 'hi alice');
    await bob.press('#text', 'Enter');
    await alice.locator('#messages li', { hasText: 'hi alice' }).filter({ hasText: 'bob' }).waitFor({ timeout: BOUND });
    expect(await currentNode(alice)).toBe('connection.open');
  });

  it('runs a chat bot on the library inside a Web Worker, over its native WebSocket', async () => {
    await bob.click('#bot');
    await alice.locator('#users li', { hasText: 'worker-bot' }).waitFor({ timeout: BOUND });
    await alice.fill('#text', 'ping bot');
    await alice.press('#text', 'Enter');
    await alice.locator('#messages li', { hasText: 'in a Web Worker) heard alice: "ping bot"' }).waitFor({ timeout: BOUND });
    await bob.click('#bot'); // stops it: a clean close from inside the worker
    await bob.locator('#log li[data-kind="worker"]', { hasText: 'bot closed (1000)' }).waitFor({ timeout: BOUND });
    const reports = (await logLines(bob)).filter(({ kind, text }) => kind === 'worker' && text.startsWith('bot state'));
    expect(reports.map(({ text }) => text)).toEqual([
      'bot state connecting',
      'bot state open',
      'bot state closing.draining',
      'bot state closing.handshake',
      'bot state closed',
    ]);
  });

  it('reports a malformed message from the server as a parse-error, and the connection stays open', async () => {
    await bob.click('button[data-fault="garbage"]');
    await bob.locator('#log li[data-kind="parse-error"]', { hasText: 'invalid-json' }).waitFor({ timeout: BOUND });
    expect(await bob.locator('#m-state').getAttribute('data-state')).toBe('open');
    expect(await currentNode(bob)).toBe('connection.open');
  });

  it('marks gaveUp in the diagram when the server closes with 4001, and logs the close and the giveup', async () => {
    await alice.fill('#close-code', '4001');
    await alice.click('button[data-fault="close"]');
    await waitForState(alice, 'gaveUp');
    expect(await currentNode(alice)).toBe('connection.gaveUp');
    await alice
      .locator('#log li[data-kind="close"]', { hasText: '4001 "closed from the playground" normal clean' })
      .waitFor({ timeout: BOUND });
    // An application code: the default policy does not retry it.
    await alice.locator('#log li[data-kind="giveup"]', { hasText: 'not-retryable after 4001' }).waitFor({ timeout: BOUND });
    await bob.locator('#users li', { hasText: 'alice' }).waitFor({ state: 'detached', timeout: BOUND });
    expect(await currentNode(bob)).toBe('connection.open');
  });

  it('shows a refused handshake as error, then close 1006, then a reconnect that opens and signs in again', async () => {
    await alice.click('button[data-fault="refuse"]');
    await alice.locator('#log li[data-kind="fault"]', { hasText: 'refuse: applies to the next handshake' }).waitFor({ timeout: BOUND });
    await alice.click('#connect');
    await waitForState(alice, 'open');
    const lines = await logLines(alice);
    const attempt = lines.slice(lines.findLastIndex(({ text }) => text.includes('new connection')));
    expect(attempt.filter(({ kind }) => ['state', 'error', 'close', 'reconnecting', 'open'].includes(kind))).toEqual([
      { kind: 'state', text: expect.stringMatching(/^connecting/) },
      { kind: 'error', text: expect.stringMatching(/^handshake-failed/) },
      { kind: 'close', text: '1006 handshake-failed unclean, will reconnect' },
      { kind: 'reconnecting', text: expect.stringMatching(/^attempt 2 in \d+ ms \(reconnect 1 in a row\)/) },
      { kind: 'state', text: 'reconnecting (readyState 0)' },
      { kind: 'state', text: 'connecting (readyState 0)' },
      { kind: 'open', text: expect.stringMatching(/^subprotocol/) },
      { kind: 'state', text: 'open (readyState 1)' },
    ]);
    expect(await currentNode(alice)).toBe('connection.open');
    expect(await alice.locator('#diagram g.edge.taken > title').textContent()).toBe('connection.connecting->connection.open');
    // The name queued before the refused attempt survived it and went out on the new socket.
    await bob.locator('#users li', { hasText: 'alice' }).waitFor({ timeout: BOUND });
  });

  it('reconnects after the server drops the connection, and signs in again under the same name', async () => {
    const opensBefore = await alice.locator('#log li[data-kind="open"]').count();
    await alice.click('button[data-fault="drop"]');
    await alice
      .locator('#log li[data-kind="close"]', { hasText: '1006 connection-lost unclean, will reconnect' })
      .waitFor({ timeout: BOUND });
    await alice.locator('#log li[data-kind="open"]').nth(opensBefore).waitFor({ timeout: BOUND });
    await waitForState(alice, 'open');
    await bob.locator('#users li', { hasText: 'alice' }).waitFor({ timeout: BOUND });
    expect(await bob.locator('#users li', { hasText: 'alice' }).allTextContents()).toHaveLength(1);
  });

  it('waits in closing.draining while the server reads slowly, with bufferedAmount above zero', async () => {
    await bob.click('button[data-fault="slow-drain"]');
    await bob.locator('#log li[data-kind="fault"]', { hasText: 'slow-drain: applies now' }).waitFor({ timeout: BOUND });
    await bob.click('#burst');
    await bob.click('#close');
    await waitForState(bob, 'closing.draining');
    expect(await currentNode(bob)).toBe('connection.closing.draining');
    expect(await bob.locator('#diagram g.cluster.active > title').textContent()).toBe('cluster_connection.closing');
    await bob.waitForFunction(() => Number(document.getElementById('m-buffered')!.textContent.replace(/,/g, '')) > 0, undefined, {
      timeout: BOUND,
    });
    await mkdir(ARTIFACTS, { recursive: true });
    await bob.screenshot({ path: `${ARTIFACTS}playground.png`, fullPage: true });
  });

  it('draws the committed diagrams/connection.svg, unchanged but for the highlight classes', async () => {
    const committed = await readFile(DIAGRAM_FILE);
    const served = Buffer.from(await (await fetch(new URL('diagram.svg', playground.url))).arrayBuffer());
    expect(served.equals(committed)).toBe(true);
    const same = await alice.evaluate(async () => {
      const text = await (await fetch('/diagram.svg')).text();
      const original = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
      const shown = document.querySelector('#diagram svg')!.cloneNode(true) as Element;
      for (const element of shown.querySelectorAll('.current, .active, .taken')) element.classList.remove('current', 'active', 'taken');
      const serialize = (node: Node) => new XMLSerializer().serializeToString(node);
      return serialize(shown) === serialize(original);
    });
    expect(same).toBe(true);
  });

  it('leaves no uncaught exception in any page', () => {
    expect(problems.flatMap((p) => p.uncaught)).toEqual([]);
  });
});
