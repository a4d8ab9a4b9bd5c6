/**
 * "Did you mean" suggestions: the closest known name by edit distance (a swap of two adjacent
 * letters counts as one edit), if it is close enough to be a plausible typo.
 */
import { joinedNames, quotedName } from './describe.js';

/**
 * The candidate closest to `name`, or `undefined` when none is within a third of the name's length
 * (at least one edit) — and none that would replace every letter: `"y"` is no typo of `"x"`. A
 * case-only difference always counts as close.
 *
 * Candidates are compared in order until the distances computed have filled
 * {@link MOST_DISTANCE_CELLS} cells of their tables; then the closest found so far is the answer.
 * A suggestion is a courtesy of an error message, and the name may come from outside (a
 * `result.get` of a URL segment): against 100,000 long task names sharing a prefix, comparing
 * every one took seconds, for each wrong name.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const lowerName = name.toLowerCase();
  const caseOnly = candidates.find((candidate) => candidate.toLowerCase() === lowerName);
  if (caseOnly !== undefined) return caseOnly;
  // A typo in a name longer than this is no typo to guess: the distance would cost its length
  // squared per candidate (seconds for names of 10,000 characters).
  if (name.length > LONGEST_NAME_TO_SUGGEST_FOR) return undefined;
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  const work = { cells: 0 };
  for (const candidate of candidates) {
    if (work.cells >= MOST_DISTANCE_CELLS) break;
    // The distance is at least the difference in length: most candidates need no computing.
    if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
    const distance = editDistance(lowerName, candidate.toLowerCase(), bestDistance - 1, work);
    if (distance < bestDistance && distance < Math.max(name.length, candidate.length)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** See {@link closestName}. */
const LONGEST_NAME_TO_SUGGEST_FOR = 256;

/**
 * How many cells of distance tables {@link closestName} fills at most: about a tenth of a second,
 * and enough to compare every candidate of 10,000 names of 30 characters, or 1,000 of 100.
 */
const MOST_DISTANCE_CELLS = 10_000_000;

/**
 * ` Did you mean "fetchUser"?` for the closest candidate, or `''` when none is close — ready to
 * append to a message. `then`: what follows the suggestion, for the name suggested (where an
 * option of another place belongs).
 */
export function didYouMean(
  name: string,
  candidates: readonly string[],
  then: (suggestion: string) => string = () => '',
): string {
  const suggestion = closestName(name, candidates);
  return suggestion === undefined ? '' : meant(suggestion, then);
}

/**
 * ` Did you mean "retries"?`, then `then(suggestion)`: how every "did you mean" reads, whether the
 * name was found by its distance ({@link didYouMean}) or known beforehand.
 */
export function meant(suggestion: string, then: (suggestion: string) => string): string {
  return ` Did you mean ${quotedName(suggestion)}?${then(suggestion)}`;
}

/**
 * What to append to "… is not a task.": ` Did you mean "fetchUser"?` for a close task name, else
 * the task names, the first {@link MOST_TASKS_LISTED}: ` Tasks: load, render.` (A builder names
 * its nodes after their functions, `incTask_2`, so a name asked for may be nowhere near them.)
 */
export function taskNameHint(name: unknown, taskNames: readonly string[]): string {
  const hint = typeof name === 'string' ? didYouMean(name, taskNames) : '';
  return hint === '' ? tasksListed(taskNames) : hint;
}

/**
 * The first {@link MOST_TASKS_LISTED} task names, ready to append to a message: ` Tasks: load,
 * render.`, or `''` when there are none.
 */
export function tasksListed(taskNames: readonly string[]): string {
  if (taskNames.length === 0) return '';
  const listed = joinedNames(taskNames.slice(0, MOST_TASKS_LISTED), ', ');
  return ` Tasks: ${listed}${taskNames.length > MOST_TASKS_LISTED ? ', …' : ''}.`;
}

/** How many task names {@link taskNameHint} lists at most. */
const MOST_TASKS_LISTED = 10;

/**
 * The first own enumerable key of `options` that is in neither `known` nor `alsoKnown`, or
 * `undefined` when every key is known: the check behind every "unknown option" error.
 */
export function unknownKey(
  options: object,
  known: readonly string[],
  alsoKnown: readonly string[] = [],
): string | undefined {
  // A loop, not `find`: no callback to allocate on every run's options.
  for (const key of Object.keys(options)) {
    if (!known.includes(key) && !alsoKnown.includes(key)) return key;
  }
  return undefined;
}

/**
 * The optimal string alignment (restricted Damerau–Levenshtein) distance between `a` and `b`: the
 * fewest insertions, deletions, substitutions and swaps of two adjacent characters that turn one
 * into the other, with no substring edited twice. A swap counts as one edit, since a transposition
 * is one typo.
 *
 * @example
 * ```ts
 * editDistance('kitten', 'sitting'); // 3
 * editDistance('laod', 'load'); // 1: one swap
 * editDistance('ca', 'abc'); // 3
 * ```
 *
 * With `atMost`, it stops as soon as the distance is sure to exceed it, and returns `atMost + 1`.
 * With `work`, it adds the number of table cells it filled to `work.cells`.
 */
export function editDistance(
  a: string,
  b: string,
  atMost = Infinity,
  work?: { cells: number },
): number {
  // Three rolling rows: the row before the previous one is where a swap comes from.
  let beforePrevious = new Array<number>(b.length + 1);
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  let current = new Array<number>(b.length + 1);
  let previousLeast = 0; // the least of row 0
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    if (work !== undefined) work.cells += b.length;
    let rowLeast = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, beforePrevious[j - 2] + 1);
      }
      current[j] = distance;
      rowLeast = Math.min(rowLeast, distance);
    }
    // Every later cell is at least the least of this row or the one before it (a swap reaches
    // back two rows): when both exceed `atMost`, so does the distance.
    if (rowLeast > atMost && previousLeast > atMost) return atMost + 1;
    previousLeast = rowLeast;
    [beforePrevious, previous, current] = [previous, current, beforePrevious];
  }
  return Math.min(previous[b.length], atMost + 1);
}
