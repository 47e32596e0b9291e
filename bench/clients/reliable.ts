/**
 * This library's reliable sessions (`statesock/reliable`): every message numbered, acknowledged
 * and held until acknowledged. The buffer bounds are raised so that a burst of 100,000 messages
 * fits unacknowledged; everything else is the defaults. "Open" is when the session is live (the
 * server's hello and session frame have arrived), which is when a plain connection's messages
 * would flow too.
 */
import { reliable } from '../built.js';
import type { Adapter } from './adapter.js';

const { createReliableSession } = reliable;

const LIMITS = { maxUnackedMessages: 2_000_000, maxUnackedBytes: 1024 * 1024 * 1024 } as const;

export const reliableSession: Adapter = {
  name: 'ReliableSession',
  kind: 'on',
  queuesBeforeOpen: true,
  connect(url, handlers) {
    const session = createReliableSession(url, LIMITS);
    const offSession = session.on('session', () => {
      offSession();
      handlers.open();
    });
    session.on('message', (data) => handlers.message(data));
    session.on('state', ({ state }) => state === 'closed' && handlers.close());
    return {
      send: (data) => void session.send(data),
      close: () => void session.close(),
      get bufferedAmount() {
        return session.connection.bufferedAmount;
      },
      produce: () => Promise.reject(new Error('the producer workload does not run reliable sessions')),
    };
  },
  idle(url, handlers) {
    const session = createReliableSession(url);
    session.on('session', handlers.open);
    session.on('message', handlers.message);
    return session;
  },
};
