/**
 * The options guide's table must name every option with the default the code really uses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/options.js';
import { systemClock } from '../../src/time.js';

const guide = readFileSync(new URL('../../docs/options.md', import.meta.url), 'utf8');

/** Rows of the guide's tables: option name to its default cell, backticks removed. */
function optionRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of guide.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`(\w+)`$/.exec(cells[1] ?? '')?.[1];
    if (name !== undefined) rows.set(name, (cells[2] ?? '').replace(/`/g, ''));
  }
  return rows;
}

function format(value: unknown): string {
  if (value === systemClock) return 'systemClock';
  if (value === Math.random) return 'Math.random';
  // A default that is a function is documented by its name (`isRetryableClose`).
  if (typeof value === 'function') return value.name;
  // JSON has no Infinity (it would print `null`).
  if (value === Infinity) return 'Infinity';
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

describe('docs/options.md', () => {
  it('documents every option with its real default, and no option that does not exist', () => {
    const rows = optionRows();
    const expected = new Map(Object.entries(DEFAULTS).map(([name, value]) => [name, format(value)]));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(expected));
  });
});
