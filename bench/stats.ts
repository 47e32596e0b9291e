/**
 * Statistics that survive a noisy machine: every figure is a median over rounds, and every
 * comparison is a median of per-round ratios, so a slow round slows both sides of its ratio.
 */

export function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export interface Spread {
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  return {
    median: median(values),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: quantile(values, 0),
    max: quantile(values, 1),
  };
}

/** Element-wise `a[i] / b[i]`: the per-round ratios of two implementations measured in the same rounds. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, round) => value / b[round]!);
}

/**
 * How far a ratio can be trusted, from the noise control (a second raw `ws` socket, whose true
 * ratio to the first is 1): the larger of its median's distance from 1 and half the spread of
 * its middle rounds.
 */
export function noiseOf(control: Spread): number {
  return Math.max(Math.abs(control.median - 1), (control.p75 - control.p25) / 2);
}

/**
 * The order of a round: `items` rotated left by `round`, so that over the rounds every
 * implementation runs in every position, and reversed every other round, so that no two
 * always run back to back in the same order (what one leaves behind, the next one pays for).
 */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  const rotated = [...items.slice(shift), ...items.slice(0, shift)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}
