/**
 * A page for the React hooks' tests, bundled once per React version (the test aliases `react` and
 * `react-dom` to the 18 or 19 packages). It counts every `WebSocket` the page constructs, and
 * exposes helpers the test calls through `page.evaluate`: mount components that use one URL, in
 * StrictMode or not, unmount them, send, and read what each component saw and how often it
 * rendered.
 */
import { StrictMode, version } from 'react';
import { createRoot, hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { createConnection, type Connection } from '../../src/index.browser.js';
import { RELEASE_DELAY, useConnection, useConnectionEvent, useJsonChannel, useJsonMessage } from '../../src/react/index.js';

/** What a component saw. */
export interface Seen {
  renders: number;
  messages: string[];
  echoes: string[];
  connection: Connection | undefined;
  /** The component's `send`, and a send through its JSON channel, as of its last render. */
  send?: (text: string) => boolean;
  sendJson?: (text: string) => boolean;
}

export interface ReactPage {
  readonly version: string;
  readonly releaseDelay: number;
  /** `WebSocket`s the page has constructed. */
  sockets(): number;
  /** Mounts `count` components that use `url` (with `options` as inline JSON) in a root named `root`. */
  mount(root: string, url: string, count: number, strict: boolean, options?: Record<string, unknown>): void;
  /**
   * Renders `count` components that use `url` to HTML, as a server would (here, in the page), puts
   * the HTML in a root named `root` and hydrates it in StrictMode; returns the sockets the page had
   * constructed once the HTML was rendered, and the HTML.
   */
  hydrate(root: string, url: string, count: number): { socketsAfterRender: number; html: string };
  /** Mounts one component following a connection the page created itself (`given`). */
  mountGiven(root: string, url: string): void;
  unmount(root: string): void;
  /** What component `index` of `root` shows: its state and readyState (`data-` attributes). */
  shown(root: string): { state: string; readyState: string }[];
  renders(root: string, index: number): number;
  messages(root: string, index: number): string[];
  echoes(root: string, index: number): string[];
  send(root: string, index: number, text: string): boolean;
  sendJson(root: string, index: number, text: string): boolean;
  /** Whether components `a` and `b` of `root` hold the same connection, and that `root`'s component `a` holds the same one as `other`'s held. */
  sameConnection(root: string, a: number, other: string, b: number): boolean;
  /** The readyState of the connection component `index` of `root` held. */
  readyStateOf(root: string, index: number): number | undefined;
  /** Closes the connection `mountGiven` created. */
  closeGiven(root: string): Promise<void>;
}

// Count the sockets the page opens: the native transport reads the global at each attempt.
let constructed = 0;
const PlatformWebSocket = globalThis.WebSocket;
globalThis.WebSocket = class CountingWebSocket extends PlatformWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    constructed += 1;
  }
};

type Echo = { type: 'echo'; text: string };

const roots = new Map<string, { root: Root; element: HTMLElement; seen: Seen[]; given?: Connection }>();

function Client({ url, options, seen }: { url: string | Connection; options?: Record<string, unknown>; seen: Seen }) {
  const result = typeof url === 'string' ? useConnection(url, options) : useConnection(url);
  const { connection, state, readyState } = result;
  seen.renders += 1;
  seen.connection = connection;
  seen.send = result.send;
  useConnectionEvent(connection, 'message', (data) => seen.messages.push(typeof data === 'string' ? data : 'binary'));
  const channel = useJsonChannel<Echo, Echo>(connection);
  seen.sendJson = (text) => channel?.send({ type: 'echo', text }) ?? false;
  useJsonMessage(channel, 'echo', ({ text }) => seen.echoes.push(text));
  return <p className="client" data-state={state} data-ready-state={readyState} />;
}

function entry(root: string) {
  const found = roots.get(root);
  if (found === undefined) throw new Error(`no root ${root}`);
  return found;
}

const page: ReactPage = {
  version,
  releaseDelay: RELEASE_DELAY,
  sockets: () => constructed,
  mount(name, url, count, strict, options) {
    const element = document.createElement('div');
    element.id = name;
    document.body.append(element);
    const seen = Array.from({ length: count }, () => ({ renders: 0, messages: [], echoes: [], connection: undefined }));
    const clients = seen.map((each, index) => (
      <Client key={index} url={url} seen={each} {...(options ? { options: { ...options } } : {})} />
    ));
    const root = createRoot(element);
    root.render(strict ? <StrictMode>{clients}</StrictMode> : <>{clients}</>);
    roots.set(name, { root, element, seen });
  },
  hydrate(name, url, count) {
    const element = document.createElement('div');
    element.id = name;
    document.body.append(element);
    const seen = Array.from({ length: count }, () => ({ renders: 0, messages: [], echoes: [], connection: undefined }));
    const clients = () => seen.map((each, index) => <Client key={index} url={url} seen={each} />);
    const html = renderToString(<>{clients()}</>);
    const socketsAfterRender = constructed;
    element.innerHTML = html;
    const root = hydrateRoot(element, <StrictMode>{clients()}</StrictMode>);
    roots.set(name, { root, element, seen });
    return { socketsAfterRender, html };
  },
  mountGiven(name, url) {
    const element = document.createElement('div');
    element.id = name;
    document.body.append(element);
    const given = createConnection(url, { reconnect: false });
    const seen: Seen[] = [{ renders: 0, messages: [], echoes: [], connection: undefined }];
    const root = createRoot(element);
    root.render(
      <StrictMode>
        <Client url={given} seen={seen[0]!} />
      </StrictMode>,
    );
    roots.set(name, { root, element, seen, given });
  },
  unmount(name) {
    const { root, element } = entry(name);
    root.unmount();
    element.remove();
  },
  shown(name) {
    return [...entry(name).element.querySelectorAll<HTMLElement>('.client')].map((client) => ({
      state: client.dataset.state ?? '',
      readyState: client.dataset.readyState ?? '',
    }));
  },
  renders: (name, index) => entry(name).seen[index]!.renders,
  messages: (name, index) => entry(name).seen[index]!.messages,
  echoes: (name, index) => entry(name).seen[index]!.echoes,
  send: (name, index, text) => entry(name).seen[index]!.send!(text),
  sendJson: (name, index, text) => entry(name).seen[index]!.sendJson!(text),
  sameConnection: (name, a, other, b) => {
    const mine = entry(name).seen[a]!.connection;
    return mine !== undefined && mine === entry(other).seen[b]!.connection;
  },
  readyStateOf: (name, index) => entry(name).seen[index]!.connection?.readyState,
  async closeGiven(name) {
    await entry(name).given!.close(1000, 'done');
  },
};

(globalThis as unknown as { __reactPage: ReactPage }).__reactPage = page;
