import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../src/queue.js';

describe('ByteQueue', () => {
  it('behaves as a FIFO with a running byte total, across growth and wrap-around', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.nat(1000).map((size) => ({ push: size })),
            fc.constant({ shift: true }),
          ),
          { maxLength: 300 },
        ),
        (steps) => {
          const queue = new ByteQueue<number>();
          const model: number[] = [];
          let id = 0;
          for (const step of steps) {
            if ('push' in step) {
              queue.push(id, step.push);
              model.push(step.push);
              id++;
            } else {
              const expectedSize = model[0];
              expect(queue.peekSize()).toBe(expectedSize);
              const item = queue.shift();
              if (expectedSize === undefined) expect(item).toBeUndefined();
              else model.shift();
            }
            expect(queue.length).toBe(model.length);
            expect(queue.bytes).toBe(model.reduce((sum, size) => sum + size, 0));
          }
          expect(queue.drain().length).toBe(model.length);
          expect([queue.length, queue.bytes]).toEqual([0, 0]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('returns items in the order they were pushed', () => {
    const queue = new ByteQueue<string>();
    for (let i = 0; i < 100; i++) queue.push(`m${i}`, 1);
    for (let i = 0; i < 50; i++) expect(queue.shift()).toBe(`m${i}`);
    for (let i = 100; i < 150; i++) queue.push(`m${i}`, 1);
    expect(queue.drain()).toEqual(Array.from({ length: 100 }, (_, i) => `m${i + 50}`));
  });

  it('reads an item by its place from the oldest, across wrap-around, and nothing outside them', () => {
    const queue = new ByteQueue<string>();
    for (let i = 0; i < 12; i++) queue.push(`m${i}`, 1);
    for (let i = 0; i < 10; i++) queue.shift();
    for (let i = 12; i < 20; i++) queue.push(`m${i}`, 1); // the ring of 16 wraps
    expect(Array.from({ length: queue.length }, (_, i) => queue.at(i))).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 10}`));
    expect([queue.at(-1), queue.at(queue.length)]).toEqual([undefined, undefined]);
  });

  it('reads nothing outside a full ring, whose slots before the oldest and after the newest are both taken', () => {
    const queue = new ByteQueue<string>();
    for (let i = 0; i < 20; i++) queue.push(`m${i}`, 1);
    for (let i = 0; i < 4; i++) queue.shift();
    for (let i = 20; i < 36; i++) queue.push(`m${i}`, 1);
    expect([queue.length, queue.capacity]).toEqual([32, 32]);
    expect([queue.at(0), queue.at(31), queue.at(-1), queue.at(32), queue.at(-33)]).toEqual(['m4', 'm35', undefined, undefined, undefined]);
  });

  it('starts with room for 16 and doubles when full, keeping the order', () => {
    const queue = new ByteQueue<number>();
    expect(queue.capacity).toBe(16);
    for (let i = 0; i < 16; i++) queue.push(i, 1);
    expect(queue.capacity).toBe(16);
    queue.push(16, 1);
    expect(queue.capacity).toBe(32);
    expect(queue.drain()).toEqual(Array.from({ length: 17 }, (_, i) => i));
  });
});
