/**
 * Server rendering of the React hooks, bundled for Node once per React version (the test aliases
 * `react` and `react-dom` to the 18 or 19 packages): renders two components that ask for a URL,
 * and reports the HTML, how many connections were created, and what `send` does there.
 */
import { version } from 'react';
import { renderToString } from 'react-dom/server';
import { onConnectionCreated } from '../../src/connection-internals.js';
import { useConnection, useConnectionEvent, useJsonChannel, useJsonMessage } from '../../src/react/index.js';

export interface ServerRender {
  readonly version: string;
  readonly html: string;
  /** Connections created while rendering. */
  readonly created: number;
  /** What calling a rendered component's `send` afterwards threw: its name and message. */
  readonly sendError: string;
}

export function render(url: string): ServerRender {
  let created = 0;
  onConnectionCreated(() => (created += 1));
  let send: ((data: string) => boolean) | undefined;
  function Status({ name }: { name: string }) {
    const result = useConnection(url, { reconnect: false });
    send = result.send;
    useConnectionEvent(result.connection, 'message', () => {});
    useJsonMessage(useJsonChannel<{ type: 'hello' }>(result.connection), 'hello', () => {});
    return (
      <p>
        {name}: {result.state} ({result.readyState}) {result.connection === undefined ? 'no connection' : 'a connection'}
      </p>
    );
  }
  try {
    const html = renderToString(
      <main>
        <Status name="a" />
        <Status name="b" />
      </main>,
    );
    let sendError = 'nothing thrown';
    try {
      send?.('hello');
    } catch (error) {
      sendError = `${(error as Error).name}: ${(error as Error).message}`;
    }
    return { version, html, created, sendError };
  } finally {
    onConnectionCreated(undefined);
  }
}
