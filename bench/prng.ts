/**
 * A small seeded pseudo-random number generator (mulberry32), so every benchmark run sees the
 * same DAGs and the same task durations.
 */

/** A deterministic source of random numbers. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  integer(min: number, max: number): number;
}

/**
 * Creates a generator whose sequence depends only on `seed`.
 *
 * @example
 * ```ts
 * const random = createRandom(42);
 * random.integer(1, 6); // the same die roll on every run
 * ```
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    integer: (min, max) => min + Math.floor(next() * (max - min + 1)),
  };
}
