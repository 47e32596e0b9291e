/**
 * How an application tests its own code on every lifecycle path with the kit in
 * `statesock/testing`. It imports only the package's public names, as an app would (vitest
 * resolves them to the sources; CI also checks the built package through its exports).
 *
 * The app code under test is a small status model for a chat UI: an offline banner, and a
 * status line naming why the connection ended.
 */
import { describe, expect, it } from 'vitest';
import { createConnection, type Connection } from 'statesock';
import { lifecyclePaths } from 'statesock/testing';

/** The app's code: what its UI shows about the connection. */
class ConnectionStatus {
  offlineBanner = false;
  line = 'Connecting…';

  constructor(connection: Connection) {
    connection.on('open', () => (this.line = 'Online'));
    connection.on('state', ({ state }) => {
      if (state.startsWith('closing')) this.line = 'Disconnecting…';
    });
    connection.on('close', ({ cause }) => {
      this.offlineBanner = true;
      this.line = cause === 'normal' ? 'Disconnected' : `Offline (${cause})`;
    });
  }
}

describe('the connection status of the chat UI', () => {
  for (const path of lifecyclePaths()) {
    it(`${path.finalState === 'closed' ? 'shows' : 'hides'} the offline banner: ${path.description}`, async () => {
      let status: ConnectionStatus | undefined;
      await path.run((options) => {
        const connection = createConnection('wss://chat.example.test/socket', options);
        status = new ConnectionStatus(connection);
        return connection;
      });
      expect(status?.offlineBanner).toBe(path.finalState === 'closed');
      if (path.closeInfo) expect(status?.line).toBe(path.closeInfo.cause === 'normal' ? 'Disconnected' : `Offline (${path.closeInfo.cause})`);
    });
  }
});
