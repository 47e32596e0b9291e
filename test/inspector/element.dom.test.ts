// @vitest-environment happy-dom
/**
 * `<statesock-inspector>` in Node on happy-dom, with the in-memory transport and a simulated
 * clock: what it shows of a connection (state, URL, meters, log, the highlighted statechart),
 * which connections it shows, and what it stops doing when removed. Chromium runs the same
 * element against real servers (`inspector.browser.test.ts`); this suite is what mutation
 * testing can run, and it checks the DOM the element builds line by line. Layout (scrolling the
 * diagram to the current state) needs a real browser and is left to Chromium.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConnection, type Connection, type ConnectionOptions } from '../../src/index.js';
import { MAX_ENDED, MAX_LOG_LINES, StatesockInspector } from '../../src/inspector/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';

afterEach(() => {
  document.body.replaceChildren();
});

/** Each test's connections have a path of their own: an element without a connection shows earlier tests' live ones too. */
let paths = 0;
let path = '';

function setup(options: ConnectionOptions = {}) {
  const memory = createMemoryTransport();
  const clock = new SimulatedClock();
  const connection = createConnection(`wss://user:secret@chat.test/${path}?token=abc`, {
    transport: memory.transport,
    clock,
    heartbeatInterval: 0,
    ...options,
  });
  return { memory, clock, connection };
}

beforeEach(() => {
  path = `socket-${paths++}`;
});

function inspector(connection?: Connection): StatesockInspector {
  const element = document.createElement('statesock-inspector');
  if (connection !== undefined) element.connection = connection;
  document.body.append(element);
  return element;
}

/** The views an element shows of this test's connections, newest first. */
const views = (element: StatesockInspector) =>
  [...element.shadowRoot!.querySelectorAll<HTMLDetailsElement>('details.connection')].filter(
    (view) => view.querySelector('summary .url')!.textContent === `wss://REDACTED:REDACTED@chat.test/${path}?REDACTED`,
  );
const meter = (view: Element, name: string) => view.querySelector(`[data-meter="${name}"]`)!.textContent;
const logOf = (view: Element) =>
  [...view.querySelectorAll('ol.log > li')].map((item) => [...item.children].map((part) => part.textContent).join(' '));
/** The diagram's node for a state id (`connection.open`), found by its title as Graphviz wrote it. */
const nodeOf = (view: Element, title: string) =>
  [...view.querySelectorAll('svg g.node')].find((group) => group.querySelector(':scope > title')!.textContent === title)!;
/** A laid-out box, as `getBoundingClientRect()` gives it. */
const rect = (left: number, top: number, width: number, height: number) =>
  ({ left, top, width, height, right: left + width, bottom: top + height }) as DOMRect;
const marked = (view: Element, className: string) =>
  [...view.querySelectorAll(`svg .${className}`)].map((group) => group.querySelector(':scope > title')!.textContent);

describe('<statesock-inspector> before any connection', () => {
  it('says how to get connections shown while there are none', () => {
    const element = inspector();
    const empty = element.shadowRoot!.querySelector<HTMLElement>('p.empty')!;
    expect(empty.hidden).toBe(false);
    expect(empty.textContent).toContain('Import statesock/inspector before creating connections');
  });
});

describe('<statesock-inspector> given a connection', () => {
  it('shows its state, redacted URL, meters and log, and highlights the current state in the statechart', () => {
    const { memory, clock, connection } = setup();
    const element = inspector(connection);
    const [view] = views(element);
    expect(element.shadowRoot!.querySelectorAll('details.connection')).toHaveLength(1); // that one, not the page's others
    expect(view!.dataset.state).toBe('connecting');
    expect(view!.querySelector('summary b.state')!.textContent).toBe('connecting');
    expect(view!.querySelector('summary .url')!.getAttribute('title')).toBe(`wss://REDACTED:REDACTED@chat.test/${path}?REDACTED`);
    expect(marked(view!, 'current')).toEqual(['connection.connecting']);
    expect([meter(view!, 'readyState'), meter(view!, 'queued'), meter(view!, 'buffered'), meter(view!, 'protocol')]).toEqual([
      '0',
      '0',
      '0',
      '—',
    ]);

    connection.send('queued');
    clock.advance(1500);
    memory.socket.accept('chat');
    expect(view!.dataset.state).toBe('open');
    expect(marked(view!, 'current')).toEqual(['connection.open']);
    expect(marked(view!, 'taken')).toEqual(['connection.connecting->connection.open']);
    connection.send('x'.repeat(2000));
    // The meters are read each animation frame: let one pass.
    return new Promise<void>((resolve) =>
      requestAnimationFrame(() => {
        expect([meter(view!, 'readyState'), meter(view!, 'queued'), meter(view!, 'buffered'), meter(view!, 'protocol')]).toEqual([
          '1',
          '0',
          '2,006',
          'chat',
        ]);
        const bar = view!.querySelector('progress')!;
        expect([bar.value, bar.max]).toEqual([2006, 2006]);
        expect(logOf(view!)).toEqual([
          '+0.000 s state connecting (readyState 0)',
          '+1.500 s machine socket.open',
          '+1.500 s open subprotocol "chat"',
          '+1.500 s state open (readyState 1)',
        ]);
        resolve();
      }),
    );
  });

  it('marks a nested state with its parent, and shows the connection ended', async () => {
    const { memory, connection } = setup({ reconnect: false });
    const element = inspector(connection);
    memory.socket.accept();
    connection.send('x');
    void connection.close();
    const [view] = views(element);
    expect(view!.dataset.state).toBe('closing.draining');
    expect(marked(view!, 'current')).toEqual(['connection.closing.draining']);
    expect(marked(view!, 'active').sort()).toEqual(['cluster_connection.closing', 'connection.closing']);
    expect(marked(view!, 'taken')).toEqual(['connection.open->connection.closing']);
    memory.socket.flush();
    await Promise.resolve();
    memory.socket.completeClose();
    await connection.closed;
    await new Promise(requestAnimationFrame);
    expect(view!.dataset.ended).toBe('true');
    expect(marked(view!, 'current')).toEqual(['connection.closed']);
    expect(marked(view!, 'active')).toEqual([]);
  });

  it('builds each view of the same parts, with the names, labels and units a page styles and reads', () => {
    const [view] = views(inspector(setup().connection));
    const parts = [...view!.querySelectorAll('[class], [part], [aria-label], [data-action]')].map((part) =>
      [
        part.tagName.toLowerCase(),
        part.getAttribute('class') ?? '',
        part.getAttribute('part') ?? '',
        part.getAttribute('aria-label') ?? '',
        part.getAttribute('data-action') ?? '',
      ].join('|'),
    );
    expect(parts.filter((part) => !part.startsWith('g|') && !part.startsWith('svg|'))).toEqual([
      'b|state|state||',
      'span|url|||',
      'dl|meters|meters||',
      'progress|||bufferedAmount, against the most seen|',
      'div|toolbar|||',
      'button||||zoom',
      'div|diagram|diagram||',
      'ol|log|log|event log|',
    ]);
    expect([view!.className, view!.getAttribute('part')]).toEqual(['connection', 'connection']);
    expect([...view!.querySelectorAll('dl.meters > div')].map((row) => row.textContent)).toEqual([
      'readyState0',
      'queued messages0',
      'bufferedAmount0 bytes',
      'protocol—',
    ]);
    expect(view!.querySelector('button')!.getAttribute('type')).toBe('button');
  });

  it('scrolls only the diagram, to bring a current state out of view to its middle, once the diagram is laid out', async () => {
    const { memory, connection } = setup();
    const element = inspector(connection);
    const [view] = views(element);
    const box = view!.querySelector<HTMLElement>('.diagram')!;
    const node = (title: string) => nodeOf(view!, title);
    // Laid out: a 400 × 300 box at (100, 50); `open` drawn at (700, 600), 100 × 40; `connecting` in view.
    Object.defineProperties(box, { clientWidth: { value: 400 }, clientHeight: { value: 300 } });
    box.getBoundingClientRect = () => rect(100, 50, 400, 300);
    node('connection.open').getBoundingClientRect = () => rect(700, 600, 100, 40);
    node('connection.connecting').getBoundingClientRect = () => rect(150, 60, 100, 40);
    box.scrollLeft = 10;
    box.scrollTop = 20;
    memory.socket.accept();
    // Centred: scrollLeft += 700 - 100 - (400 - 100) / 2, scrollTop += 600 - 50 - (300 - 40) / 2.
    expect([box.scrollLeft, box.scrollTop]).toEqual([10 + 450, 20 + 420]);
    // A state already in view moves nothing, up to the box's very edges.
    node('connection.closing.draining').getBoundingClientRect = () => rect(100, 50, 100, 40);
    node('connection.closing.handshake').getBoundingClientRect = () => rect(400, 310, 100, 40);
    connection.send('x');
    void connection.close();
    expect(connection.state).toBe('closing.draining');
    memory.socket.flush();
    await Promise.resolve();
    expect(connection.state).toBe('closing.handshake');
    expect([box.scrollLeft, box.scrollTop]).toEqual([460, 440]);
  });

  it('brings the current state into view on the first frame after the diagram is laid out', async () => {
    const { connection } = setup();
    const element = inspector(connection);
    const [view] = views(element);
    const box = view!.querySelector<HTMLElement>('.diagram')!;
    box.getBoundingClientRect = () => rect(0, 0, 200, 100);
    nodeOf(view!, 'connection.connecting').getBoundingClientRect = () => rect(500, 300, 100, 40);
    Object.defineProperties(box, { clientWidth: { value: 200 }, clientHeight: { value: 100 } });
    await new Promise(requestAnimationFrame);
    expect([box.scrollLeft, box.scrollTop]).toEqual([500 - 50, 300 - 30]);
  });

  it('switches the diagram between readable and fit-to-width', () => {
    const element = inspector(setup().connection);
    const [view] = views(element);
    const box = view!.querySelector<HTMLElement>('.diagram')!;
    const zoom = view!.querySelector<HTMLButtonElement>('[data-action="zoom"]')!;
    expect([box.dataset.zoom, zoom.textContent]).toEqual(['readable', 'Fit to width']);
    zoom.click();
    expect([box.dataset.zoom, zoom.textContent]).toEqual(['fit', 'Actual size']);
    zoom.click();
    expect([box.dataset.zoom, zoom.textContent]).toEqual(['readable', 'Fit to width']);
  });

  it(`keeps the last ${MAX_LOG_LINES} lines of the log`, () => {
    const { memory, connection } = setup({ maxQueuedMessages: 0 });
    const element = inspector(connection);
    for (let i = 0; i < MAX_LOG_LINES + 5; i += 1) connection.send('y'.repeat(i));
    memory.socket.accept();
    const lines = logOf(views(element)[0]!);
    expect(lines).toHaveLength(MAX_LOG_LINES);
    expect(lines.slice(-4)).toEqual([
      `+0.000 s undelivered queue-full: a string of ${MAX_LOG_LINES + 4} characters`,
      '+0.000 s machine socket.open',
      '+0.000 s open subprotocol ""',
      '+0.000 s state open (readyState 1)',
    ]);
  });

  it('stops listening, and reading each frame, once removed from the page', async () => {
    const { memory, connection } = setup();
    const element = inspector(connection);
    const [view] = views(element);
    const shown = logOf(view!).length;
    element.remove();
    memory.socket.accept();
    connection.send('unseen');
    await new Promise(requestAnimationFrame);
    expect(logOf(view!)).toHaveLength(shown);
    expect([view!.dataset.state, meter(view!, 'buffered')]).toEqual(['connecting', '0']);
  });

  it('follows the log to its newest line, unless the reader scrolled up', () => {
    const { memory, connection } = setup({ maxQueuedMessages: 0 });
    const [view] = views(inspector(connection));
    const log = view!.querySelector<HTMLOListElement>('ol.log')!;
    let height = 1000;
    Object.defineProperties(log, { scrollHeight: { get: () => height }, clientHeight: { value: 200 } });
    log.scrollTop = 800 - 23; // 23 px from the bottom: still following
    connection.send('a');
    expect(log.scrollTop).toBe(1000);
    height = 1100;
    log.scrollTop = 1100 - 200 - 24; // 24 px up: reading an older line
    connection.send('b');
    expect(log.scrollTop).toBe(876);
    memory.socket.accept();
  });

  it('shows another connection when given one, and every live one when given null', () => {
    const first = setup();
    const second = setup();
    const element = inspector(first.connection);
    element.connection = second.connection;
    const shown = () => [...element.shadowRoot!.querySelectorAll('details.connection')];
    expect(shown()).toHaveLength(1);
    second.memory.socket.accept();
    expect(shown()[0]!.getAttribute('data-state')).toBe('open');
    element.connection = null;
    expect(element.connection).toBeNull();
    expect(views(element)).toHaveLength(2);
  });

  it('takes a connection set on the element before it was defined (an upgrade)', () => {
    const { connection } = setup();
    const early = document.createElement('statesock-inspector-late') as HTMLElement & { connection?: unknown };
    early.connection = connection; // an own property of a plain element, for now
    document.body.append(early);
    customElements.define('statesock-inspector-late', class extends StatesockInspector {});
    const upgraded = early as unknown as StatesockInspector;
    expect(upgraded.connection).toBe(connection);
    expect(Object.hasOwn(upgraded, 'connection')).toBe(false);
    expect(upgraded.shadowRoot!.querySelectorAll('details.connection')).toHaveLength(1);
  });
});

describe('<statesock-inspector> without a connection', () => {
  it('shows every live connection, newest first, including those created before it, and each new one', async () => {
    setup();
    const element = inspector();
    const second = setup();
    await Promise.resolve(); // the registry tells watchers a microtask later
    expect(views(element).map((view) => view.dataset.state)).toEqual(['connecting', 'connecting']);
    second.memory.socket.accept();
    expect(views(element).map((view) => view.dataset.state)).toEqual(['open', 'connecting']);
    expect(views(element).map((view) => view.open)).toEqual([true, true]); // live ones stay unfolded
    expect(element.shadowRoot!.querySelector<HTMLElement>('p.empty')!.hidden).toBe(true);
  });

  it(`folds an ended connection once a newer one appears, and keeps at most ${MAX_ENDED} ended ones`, async () => {
    const element = inspector();
    const ended: Connection[] = [];
    for (let i = 0; i < MAX_ENDED + 2; i += 1) {
      const { memory, connection } = setup({ reconnect: false });
      await Promise.resolve();
      void connection.close();
      memory.socket.completeAbort();
      await connection.closed;
      ended.push(connection);
    }
    setup(); // a live one, newer than them all
    await Promise.resolve();
    const shown = views(element);
    expect(shown).toHaveLength(MAX_ENDED + 1);
    expect(shown.map((view) => view.open)).toEqual([true, ...Array<boolean>(MAX_ENDED).fill(false)]);
    expect(shown.slice(1).map((view) => view.dataset.state)).toEqual(Array<string>(MAX_ENDED).fill('closed'));
  });
});
