/**
 * How an application tests its own code on every lifecycle path with the kit in
 * `statesock/testing`. It imports only the package's public names, as an app would (vitest
 * resolves them to the sources; CI also checks the built package through its exports).
 *
 * The app code under test is a small status model for a chat UI: an offline banner, and a
 * status line naming why the connection ended, or that it is reconnecting.
 */
import { describe, expect, it } from 'vitest';
import { createConnection, type CloseCause, type Connection, type ConnectionStateName } from 'statesock';
import { lifecyclePaths } from 'statesock/testing';

const ended = (cause: CloseCause) => (cause === 'normal' ? 'Disconnected' : `Offline (${cause})`);

/** The app's code: what its UI shows about the connection. */
class ConnectionStatus {
  offlineBanner = false;
  line = 'Connecting…';

  constructor(connection: Connection) {
    connection.on('open', () => {
      this.offlineBanner = false;
      this.line = 'Online';
    });
    connection.on('state', ({ state }) => {
      if (state.startsWith('closing')) this.line = 'Disconnecting…';
    });
    connection.on('close', ({ cause, willReconnect }) => {
      this.offlineBanner = true;
      this.line = willReconnect ? `Reconnecting (${cause})…` : ended(cause);
    });
    // close() during a reconnect wait ends the connection with no close event (no socket was
    // open); the promise says how the last attempt ended, whichever way the connection ended.
    void connection.closed.then(({ cause }) => (this.line = ended(cause)));
  }
}

/** The banner is up once an attempt has ended (a close event), until a socket opens again. */
function bannerExpected(states: readonly ConnectionStateName[]): boolean {
  const afterLastOpen = states.slice(states.lastIndexOf('open') + 1);
  return afterLastOpen.some((state) => state === 'reconnecting' || state === 'closed' || state === 'gaveUp');
}

describe('the connection status of the chat UI', () => {
  for (const path of lifecyclePaths()) {
    const banner = bannerExpected(path.states);
    it(`${banner ? 'shows' : 'hides'} the offline banner: ${path.description}`, async () => {
      let status: ConnectionStatus | undefined;
      const { connection } = await path.run((options) => {
        const connection = createConnection('wss://chat.example.test/socket', options);
        status = new ConnectionStatus(connection);
        return connection;
      });
      expect(status?.offlineBanner).toBe(banner);
      if (path.closeInfo) {
        await connection.closed;
        expect(status?.line).toBe(ended(path.closeInfo.cause));
      } else if (path.finalState === 'reconnecting') expect(status?.line).toMatch(/^Reconnecting \(.+\)…$/);
    });
  }
});
