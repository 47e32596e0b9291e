/**
 * More than a link can hold, sent into a blackhole, then the link dies: what the kernels held
 * may be lost with it, within what a hop can hold, and everything else is reported
 * `connection-lost`, the newest messages, in send order (`overflow-scene.ts`). The planted-bug
 * check (`mutants.test.ts`) shows these tests fail when the shell forgets those reports.
 */
import { describe, expect, it } from 'vitest';
import { lossesByHop } from '../support/accounting.js';
import { expectAccountedFor, whatLinksHold } from '../support/expectations.js';
import { clientFrameBytes } from '../support/frame-reader.js';
import { hopCapacity } from '../support/link-capacity.js';
import { useScene } from '../support/scene.js';
import { overflowLink, type LinkDeath } from './overflow-scene.js';
import { BEYOND_CAPACITY } from './scale.js';

const startScene = useScene();

describe('a link sent more than it can hold', () => {
  it.each<LinkDeath>(['dropped', 'heartbeat-timeout'])(
    'reports all but what the kernels held when it is %s',
    async (death) => {
      const { client, burst, burstBytes, finish } = await overflowLink(startScene, death);
      expect(client.closes[0]).toMatchObject({
        cause: death === 'dropped' ? 'connection-lost' : 'heartbeat-timeout',
        wasClean: false,
        willReconnect: true,
      });
      expectAccountedFor(finish, whatLinksHold());

      const reported = burst.filter((seq) => client.reported.has(seq));
      expect(reported, 'the reports name the last messages sent, in order').toEqual(burst.slice(burst.length - reported.length));
      expect(new Set(reported.map((seq) => client.reported.get(seq)))).toEqual(new Set(['connection-lost']));
      // What was not reported is what the kernels had taken: at most a hop's capacity.
      const unreportedBytes = burst
        .filter((seq) => !client.reported.has(seq))
        .reduce((sum, seq) => sum + clientFrameBytes(client.bytes[seq]!), 0);
      expect(unreportedBytes).toBeLessThanOrEqual(hopCapacity().bytes);
      expect(burstBytes).toBeGreaterThan(hopCapacity().bytes + BEYOND_CAPACITY);

      const lost = lossesByHop(finish.losses);
      console.log(
        `overflow, link ${death}: ${burst.length} messages (${burstBytes} bytes), ${reported.length} reported; lost ${JSON.stringify(lost)}`,
      );
    },
    60_000,
  );
});
