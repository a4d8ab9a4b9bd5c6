/**
 * What the seed example does, as every spec that runs it checks: the order its tasks start and
 * finish in, and what they return. Shared by the seed, builder and decorator-mode specs and by the
 * consumer programs' expected output (consumers.ts).
 */

/** The seed's started/done order, as its tasks log it and every consumer of the package prints it. */
export const SEED_ORDER: readonly string[] = [
  'fastTaskA started',
  'slowTaskA started',
  'fastTaskB started',
  'fastTaskA done',
  'slowTaskB started',
  'fastTaskB done',
  'slowTaskA done',
  'fastTaskC started',
  'fastTaskC done',
  'slowTaskB done',
  'endTask started',
  'endTask done',
];

/**
 * The same order as an EventLog (event-log.ts) records it under the Python seed's task names:
 * `fastTaskA started` is `fast_task_a:start`, `endTask done` is `end_task:end`.
 */
export const SEED_EVENTS: readonly string[] = SEED_ORDER.map((line) => {
  const [task, phase] = line.split(' ');
  const snakeCase = task.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  return `${snakeCase}:${phase === 'started' ? 'start' : 'end'}`;
});

/** What each task of the seed returns when invoked with 0. */
export const SEED_RESULTS = {
  fastTaskA: 1,
  slowTaskB: 2,
  slowTaskA: 1,
  fastTaskB: 1,
  fastTaskC: 2,
  endTask: 4,
} as const;
