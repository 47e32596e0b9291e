/**
 * An HTTP agent whose TCP sockets count the writes they hand to the kernel (`_writev` included)
 * and the bytes of each: how the `ws` transport's frames reach the network.
 */
import { Agent } from 'node:http';
import { createConnection as createNetConnection, type NetConnectOpts, type Socket } from 'node:net';

export interface WriteCounts {
  writes: number;
  readonly sizes: number[];
}

export function countingAgent(): { agent: Agent; counts: WriteCounts } {
  const counts: WriteCounts = { writes: 0, sizes: [] };
  const agent = new Agent();
  (agent as unknown as { createConnection: (options: NetConnectOpts) => Socket }).createConnection = (options) => {
    const socket = createNetConnection(options);
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method]!.bind(socket) as (...args: unknown[]) => void;
      socket[method] = ((...args: unknown[]) => {
        counts.writes += 1;
        counts.sizes.push(
          method === '_write' ? (args[0] as Buffer).length : (args[0] as { chunk: Buffer }[]).reduce((n, c) => n + c.chunk.length, 0),
        );
        original(...args);
      }) as never;
    }
    return socket;
  };
  return { agent, counts };
}
