/**
 * A plain page for the inspector element's tests: the library's browser entry, and helpers the
 * test calls through `page.evaluate`. `statesock/inspector` is not imported until the test asks
 * (`importInspector()`), so a test can create connections before or after it; the page is
 * bundled with splitting, so the inspector shares the page's one copy of the core.
 */
import { createConnection, type Connection } from '../../src/index.browser.js';

export interface InspectorPage {
  /** Imports `statesock/inspector` (which records connections from then on and defines the element). */
  importInspector(): Promise<void>;
  /** Opens a connection to `url`, reconnecting only if told to; returns its index. */
  connect(url: string, reconnect?: boolean): number;
  /** Resolves once connection `index` is in `state`. */
  waitForState(index: number, state: string): Promise<void>;
  send(index: number, text: string): boolean;
  close(index: number): Promise<void>;
  /** Appends a `<statesock-inspector>`, given connection `given` if there is one. */
  addInspector(given?: number): void;
}

const connections: Connection[] = [];

const page: InspectorPage = {
  async importInspector() {
    await import('../../src/inspector/index.js');
  },
  connect(url, reconnect = false) {
    connections.push(createConnection(url, { reconnect }));
    return connections.length - 1;
  },
  waitForState(index, state) {
    const connection = connections[index]!;
    return new Promise((resolve) => {
      if (connection.state === state) resolve();
      const stop = connection.on('state', (change) => {
        if (change.state !== state) return;
        stop();
        resolve();
      });
    });
  },
  send(index, text) {
    return connections[index]!.send(text);
  },
  async close(index) {
    await connections[index]!.close(1000, 'done');
  },
  addInspector(given) {
    const element = document.createElement('statesock-inspector');
    if (given !== undefined) element.connection = connections[given]!;
    document.body.append(element);
  },
};

(globalThis as unknown as { __inspectorPage: InspectorPage }).__inspectorPage = page;
