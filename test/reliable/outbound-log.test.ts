/**
 * The outbound log both ends of a session replay from: numbering, acknowledgement and lookup,
 * checked against sequence numbers written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { OutboundLog, type LoggedMessage } from '../../src/reliable/outbound-log.js';

const entry = (wire: string): LoggedMessage<string> => ({ wire, original: wire, bytes: wire.length });

describe('OutboundLog', () => {
  it('holds nothing before the first message, and finds nothing', () => {
    const log = new OutboundLog<string>();
    expect([log.length, log.bytes, log.lastSeq, log.acked]).toEqual([0, 0, 0, 0]);
    expect(log.get(0)).toBeUndefined();
    expect(log.get(1)).toBeUndefined();
    expect(log.takeAll()).toEqual([]);
  });

  it('numbers messages from 1 and finds each by its number', () => {
    const log = new OutboundLog<string>();
    expect([log.push(entry('a')), log.push(entry('bb')), log.push(entry('ccc'))]).toEqual([1, 2, 3]);
    expect([log.length, log.bytes, log.lastSeq, log.acked]).toEqual([3, 6, 3, 0]);
    expect(log.get(2)?.wire).toBe('bb');
    expect(log.get(0)).toBeUndefined();
    expect(log.get(4)).toBeUndefined();
  });

  it('forgets what the peer acknowledged, keeping the numbers of the rest', () => {
    const log = new OutboundLog<string>();
    for (const wire of ['a', 'bb', 'ccc', 'dddd']) log.push(entry(wire));
    log.acknowledge(2);
    expect([log.length, log.bytes, log.lastSeq, log.acked]).toEqual([2, 7, 4, 2]);
    expect(log.get(2)).toBeUndefined();
    expect(log.get(3)?.wire).toBe('ccc');
    log.acknowledge(2); // an acknowledgement already known changes nothing
    expect(log.length).toBe(2);
    log.acknowledge(4);
    expect([log.length, log.bytes, log.lastSeq, log.acked]).toEqual([0, 0, 4, 4]);
    expect(log.push(entry('e'))).toBe(5);
  });

  it('keeps what is unacknowledged of a burst that grew its ring', () => {
    const log = new OutboundLog<string>();
    for (let i = 1; i <= 100; i++) log.push(entry(`m${i}`));
    log.acknowledge(50);
    expect([log.length, log.acked, log.lastSeq]).toEqual([50, 50, 100]);
    expect(log.get(51)?.wire).toBe('m51');
    expect(log.get(100)?.wire).toBe('m100');
  });

  it('keeps numbering across a burst that grows and empties its ring', () => {
    const log = new OutboundLog<string>();
    for (let i = 1; i <= 200; i++) expect(log.push(entry(`m${i}`))).toBe(i);
    log.acknowledge(200);
    expect([log.length, log.acked]).toEqual([0, 200]);
    expect(log.push(entry('after'))).toBe(201);
    expect(log.get(201)?.wire).toBe('after');
  });

  it('hands back everything held with its number, then numbers from 1 again', () => {
    const log = new OutboundLog<string>();
    for (const wire of ['a', 'bb', 'ccc']) log.push(entry(wire));
    log.acknowledge(1);
    expect(log.takeAll().map(({ seq, entry: { wire } }) => [seq, wire])).toEqual([
      [2, 'bb'],
      [3, 'ccc'],
    ]);
    expect([log.length, log.bytes, log.lastSeq, log.acked]).toEqual([0, 0, 0, 0]);
    expect(log.push(entry('x'))).toBe(1);
  });
});
