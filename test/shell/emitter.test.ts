import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/emitter.js';

describe('Emitter', () => {
  it('treats any name as an event type, even one Object.prototype has', () => {
    const emitter = new Emitter<Record<string, number>>();
    const seen: number[] = [];
    expect(() => emitter.emit('toString', 1)).not.toThrow();
    emitter.on('__proto__', (value) => seen.push(value));
    emitter.on('constructor', (value) => seen.push(value * 10));
    emitter.emit('__proto__', 2);
    emitter.emit('constructor', 3);
    expect(seen).toEqual([2, 30]);
  });

  it('neither skips nor repeats a listener when one removes itself during dispatch', () => {
    const emitter = new Emitter<{ tick: number }>();
    const seen: string[] = [];
    const offA = emitter.on('tick', () => {
      seen.push('a');
      offA();
    });
    emitter.on('tick', () => seen.push('b'));
    emitter.emit('tick', 1);
    emitter.emit('tick', 2);
    expect(seen).toEqual(['a', 'b', 'b']);
    expect(emitter.size).toBe(1);
  });

  it('removes only the pair it added: not the same listener under another type, nor another listener of the type', () => {
    const emitter = new Emitter<{ tick: number; tock: number }>();
    const seen: string[] = [];
    const shared = (value: number) => seen.push(`shared ${value}`);
    emitter.on('tick', shared);
    const offTock = emitter.on('tock', shared);
    emitter.on('tock', (value) => seen.push(`other ${value}`));
    const offLast = emitter.on('tock', (value) => seen.push(`last ${value}`));
    offTock();
    offLast();
    offLast(); // twice: nothing more is removed
    emitter.emit('tick', 1);
    emitter.emit('tock', 2);
    expect(seen).toEqual(['shared 1', 'other 2']);
    expect(emitter.size).toBe(2);
  });

  it('runs the other listeners when one throws, and rethrows its error in a microtask', async () => {
    const emitter = new Emitter<{ tick: number }>();
    const seen: number[] = [];
    const thrown = new Promise<unknown>((resolve) => {
      const original = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (callback) => {
        globalThis.queueMicrotask = original;
        try {
          callback();
        } catch (error) {
          resolve(error);
        }
      };
    });
    emitter.on('tick', () => {
      throw new Error('listener bug');
    });
    emitter.on('tick', (value) => seen.push(value));
    emitter.emit('tick', 7);
    expect(seen).toEqual([7]);
    expect(await thrown).toEqual(new Error('listener bug'));
  });
});

describe('Emitter observer', () => {
  it('hears every event before the listeners, and a throwing observer stops neither them nor the emitter', async () => {
    const emitter = new Emitter<{ tick: number; tock: string }>();
    const seen: string[] = [];
    emitter.on('tick', (value) => seen.push(`listener ${value}`));
    emitter.observeWith({
      observe: (type, payload) => {
        seen.push(`observer ${type} ${String(payload)}`);
        if (payload === 2) throw new Error('observer bug');
      },
    });
    const thrown = new Promise<unknown>((resolve) => {
      const original = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (callback) => {
        globalThis.queueMicrotask = original;
        try {
          callback();
        } catch (error) {
          resolve(error);
        }
      };
    });
    emitter.emit('tick', 1);
    emitter.emit('tock', 'x');
    emitter.emit('tick', 2);
    expect(seen).toEqual(['observer tick 1', 'listener 1', 'observer tock x', 'observer tick 2', 'listener 2']);
    expect(await thrown).toEqual(new Error('observer bug'));
  });
});
