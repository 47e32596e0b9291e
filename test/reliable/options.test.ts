/**
 * A reliable session's options: what it refuses (with the exact message), its defaults as
 * documented (`docs/reliable-sessions.md`), and how it adjusts the connection's options under it.
 */
import { describe, expect, it } from 'vitest';
import type { CloseInfo } from '../../machines/connection.types.js';
import { resolveSessionOptions, type ReliableSessionOptions } from '../../src/reliable/options.js';

const closeOf = (code: number): CloseInfo =>
  code === 1006 ? { code, reason: '', wasClean: false, cause: 'connection-lost' } : { code, reason: '', wasClean: true, cause: 'normal' };

describe('reliable session options', () => {
  it.each([
    [null, 'Expected options to be an object, got null'],
    [7, 'Expected options to be an object, got 7 (number)'],
    [
      { pingMessage: 'ping' },
      'Expected `pingMessage` to be absent in a reliable session (the session server takes a ping message for a malformed frame), got "ping" (string)',
    ],
    [
      { resendUnconfirmed: true },
      'Expected `resendUnconfirmed` to be false or absent in a reliable session (the session replays what the server did not acknowledge), got true (boolean)',
    ],
    [{ binaryType: 'nodebuffer' }, 'Expected `binaryType` to be "blob" or "arraybuffer", got "nodebuffer" (string)'],
    [{ shouldReconnect: true }, 'Expected `shouldReconnect` to be a function, got true (boolean)'],
    [{ maxUnackedMessages: 0 }, 'Expected `maxUnackedMessages` to be an integer of at least 1, got 0 (number)'],
    [{ maxUnackedBytes: 2.5 }, 'Expected `maxUnackedBytes` to be an integer of at least 1, got 2.5 (number)'],
    [{ helloTimeout: 0 }, 'Expected `helloTimeout` to be an integer of at least 1, got 0 (number)'],
    [{ ackDelay: -1 }, 'Expected `ackDelay` to be an integer of at least 0, got -1 (number)'],
    [{ byeTimeout: '5' }, 'Expected `byeTimeout` to be an integer of at least 1, got "5" (string)'],
  ])('refuses %j', (options, message) => {
    expect(() => resolveSessionOptions(options as ReliableSessionOptions)).toThrow(new TypeError(message));
  });

  it('has the documented defaults, and takes every bound at its minimum', () => {
    expect(resolveSessionOptions().session).toEqual({
      maxUnackedMessages: 10_000,
      maxUnackedBytes: 16_777_216,
      helloTimeout: 5_000,
      ackDelay: 100,
      byeTimeout: 5_000,
      binaryType: 'arraybuffer',
    });
    const least = { maxUnackedMessages: 1, maxUnackedBytes: 1, helloTimeout: 1, ackDelay: 0, byeTimeout: 1 };
    expect(resolveSessionOptions({ ...least, binaryType: 'blob', resendUnconfirmed: false }).session).toEqual({
      ...least,
      binaryType: 'blob',
    });
    expect(resolveSessionOptions({ binaryType: 'arraybuffer' }).session.binaryType).toBe('arraybuffer');
  });

  it('hands the connection the rest, reading binary as ArrayBuffers and offering the session subprotocol last, once', () => {
    const { connection } = resolveSessionOptions({ binaryType: 'blob', protocols: ['chat', 'statesock.session.v1', 'v2'], maxRetries: 3 });
    expect(connection).toMatchObject({ binaryType: 'arraybuffer', protocols: ['chat', 'v2', 'statesock.session.v1'], maxRetries: 3 });
    expect(connection).not.toHaveProperty('maxUnackedMessages');
    expect(resolveSessionOptions({ protocols: 'chat' }).connection.protocols).toEqual(['chat', 'statesock.session.v1']);
    expect(resolveSessionOptions().connection.protocols).toEqual(['statesock.session.v1']);
  });

  it('reconnects after the server says it lost the session (4404, 4410), and otherwise as the policy says', () => {
    const never = (): boolean => false;
    const policy = resolveSessionOptions({ shouldReconnect: never }).connection.shouldReconnect!;
    expect([4404, 4410, 4400, 1006, 1000].map((code) => policy(closeOf(code)))).toEqual([true, true, false, false, false]);
    expect(resolveSessionOptions({ shouldReconnect: never }).connection.shouldReconnect).toBe(policy); // one per application policy

    const byDefault = resolveSessionOptions().connection.shouldReconnect!;
    expect([4404, 4410, 1006, 1000, 1008].map((code) => byDefault(closeOf(code)))).toEqual([true, true, true, false, false]);
  });
});
