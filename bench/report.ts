/**
 * Turns measurements into Markdown tables (readable in a terminal, pasteable into BENCHMARKS.md)
 * and judges them against the performance targets of the benchmark issue.
 */
import { CONTENDER } from './contenders';
import { FEATURE, type FeatureRow } from './features';
import type { BuilderBuildRow, FirstInvokeRow } from './first-invoke';
import { SMALL, type HeapPerInvokeRow, type SmallWorkflowRow } from './small-workflows';
import { isLibraryUnlimited, type MakespanRow } from './makespan';
import type { HeadToHeadRow, ThroughputRow } from './throughput';

/** Retained heap of one run's output. */
export interface RetainedHeapRow {
  readonly size: number;
  readonly contender: string;
  readonly bytesPerTask: number;
}

/** Everything one `npm run bench` measured. */
export interface BenchMeasurements {
  readonly throughput: readonly ThroughputRow[];
  readonly firstInvoke: readonly FirstInvokeRow[];
  readonly retainedHeap: readonly RetainedHeapRow[];
  readonly makespan: readonly MakespanRow[];
  readonly features?: readonly FeatureRow[];
  readonly smallWorkflows?: readonly SmallWorkflowRow[];
  readonly heapPerInvoke?: readonly HeapPerInvokeRow[];
  readonly builderBuild?: readonly BuilderBuildRow[];
  /** Today's library against the one before Part II, the two alone (when git has the commit). */
  readonly headToHead?: readonly HeadToHeadRow[];
}

/** One target of the issue, and whether this run met it. */
export interface Verdict {
  readonly target: string;
  /** `undefined` when this run did not measure what the target needs. */
  readonly met: boolean | undefined;
  readonly detail: string;
}

/**
 * A Markdown table of already formatted cells; columns whose cells are all numbers are
 * right-aligned, the others left-aligned.
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column].length)),
  );
  const numeric = headers.map((_, column) => rows.every((row) => /^[-–∞\d.,]+$/.test(row[column])));
  const line = (cells: readonly string[]) =>
    `| ${cells
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
      )
      .join(' | ')} |`;
  const rule = `|${widths
    .map((width, column) => (numeric[column] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2)))
    .join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : '–';
const whole = (value: number) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
const concurrencyLabel = (concurrency: number) =>
  concurrency === Infinity ? '∞' : String(concurrency);

/** Per-task cost of every contender at every size. */
export function throughputTable(rows: readonly ThroughputRow[]): string {
  return markdownTable(
    ['tasks', 'contender', 'median ns/task', 'runs sampled', 'async-dag ÷ contender'],
    rows.map((row) => [
      whole(row.size),
      row.contender,
      whole(row.medianNsPerTask),
      String(row.samples),
      fixed(row.libraryRatio, 2),
    ]),
  );
}

/** Today's library against the library before Part II, the two alone on one DAG per size. */
export function headToHeadTable(rows: readonly HeadToHeadRow[]): string {
  return markdownTable(
    ['tasks', 'runs sampled each', 'async-dag ÷ before Part II'],
    rows.map((row) => [whole(row.size), String(row.samples), fixed(row.ratio, 3)]),
  );
}

/** First use of a fresh class, a steady-state run for comparison, and retained heap per task. */
export function firstUseTable(measurements: BenchMeasurements): string {
  const libraryRun = (size: number) =>
    measurements.throughput.find((row) => row.size === size && row.contender === CONTENDER.library);
  const retained = (size: number, contender: string) =>
    measurements.retainedHeap.find((row) => row.size === size && row.contender === contender)
      ?.bytesPerTask ?? Number.NaN;
  const heapContenders = [...new Set(measurements.retainedHeap.map((row) => row.contender))];
  return markdownTable(
    [
      'tasks',
      'define class ms',
      'first invoke ms',
      'cached invoke ms',
      ...heapContenders.map((contender) => `heap B/task ${contender}`),
    ],
    measurements.firstInvoke.map((row) => {
      const cached = libraryRun(row.size);
      return [
        whole(row.size),
        fixed(row.defineClassMs, 1),
        fixed(row.firstInvokeMs, 1),
        cached ? fixed((cached.medianNsPerTask * row.size) / 1e6, 1) : '–',
        ...heapContenders.map((contender) => fixed(retained(row.size, contender), 0)),
      ];
    }),
  );
}

/** What each feature costs a run that uses it, relative to a plain run in the same rounds. */
export function featuresTable(rows: readonly FeatureRow[]): string {
  return markdownTable(
    ['tasks', 'run', 'median ns/task', '÷ plain invoke'],
    rows.map((row) => [
      whole(row.size),
      row.feature,
      whole(row.medianNsPerTask),
      fixed(row.ratioToInvoke, 2),
    ]),
  );
}

/** Small workflows: µs per invoke and the ratio to the hand-wired version, per scenario. */
export function smallWorkflowsTable(
  rows: readonly SmallWorkflowRow[],
  heap: readonly HeapPerInvokeRow[] = [],
): string {
  return [
    markdownTable(
      ['scenario', 'contender', 'µs/invoke', '÷ hand-wired'],
      rows.map((row) => [
        row.scenario,
        row.contender,
        fixed(row.microsecondsPerInvoke, 2),
        fixed(row.ratioToHandWired, 2),
      ]),
    ),
    '',
    markdownTable(
      [
        'seed graph, heap allocated per invoke',
        'bytes/invoke (heap growth, median batch)',
        'bytes/invoke (sampling profiler, mean)',
      ],
      heap.map((row) => [
        row.contender,
        whole(row.bytesPerInvoke),
        whole(row.sampledBytesPerInvoke),
      ]),
    ),
  ].join('\n');
}

/** Time to build a DAG with the builder, per size. */
export function builderBuildTable(rows: readonly BuilderBuildRow[]): string {
  return markdownTable(
    ['nodes', 'build + seal ms', 'samples'],
    rows.map((row) => [whole(row.size), fixed(row.buildMs, 1), String(row.samples)]),
  );
}

/** Makespan against the lower bound, per schedule and contender. */
export function makespanTable(rows: readonly MakespanRow[]): string {
  return markdownTable(
    [
      'concurrency',
      'contender',
      'runs',
      'median wall ms',
      'median bound ms',
      'median wall/bound',
      'worst wall/bound',
      'worst excess ms',
    ],
    rows.map((row) => [
      concurrencyLabel(row.concurrency),
      row.contender,
      String(row.runs),
      fixed(row.medianWallMs, 1),
      fixed(row.medianLowerBoundMs, 1),
      fixed(row.medianRatio, 3),
      fixed(row.worstRatio, 3),
      fixed(row.worstExcessMs, 1),
    ]),
  );
}

/** How many times `contender`'s ns/task at `to` tasks is its ns/task at `from` (NaN: not measured). */
function growthOf(
  throughput: readonly ThroughputRow[],
  contender: string,
  from: number | undefined,
  to: number | undefined,
): number {
  const at = (size: number | undefined) =>
    throughput.find((row) => row.size === size && row.contender === contender)?.medianNsPerTask ??
    Number.NaN;
  return at(to) / at(from);
}

/**
 * The same growth for the bare loop and the builder, when measured: what the memory hierarchy
 * alone adds from `from` to `to` tasks (the bare loop does nothing else), and what a run adds
 * without the class's call-time lookup of each task method.
 */
function growthContext(
  throughput: readonly ThroughputRow[],
  from: number | undefined,
  to: number | undefined,
): string {
  const others = [
    ['the bare loop', CONTENDER.bareLoop],
    ['the builder', CONTENDER.builder],
  ]
    .map(([label, contender]) => [label, growthOf(throughput, contender, from, to)] as const)
    .filter(([, growth]) => !Number.isNaN(growth))
    .map(([label, growth]) => `${label}: ${fixed(growth, 2)}×`);
  return others.length === 0 ? '' : ` (${others.join(', ')})`;
}

/** Judges `measurements` against each target of the issue. */
export function judgeTargets(measurements: BenchMeasurements): Verdict[] {
  const { throughput } = measurements;
  const sizes = [...new Set(throughput.map((row) => row.size))].sort((a, b) => a - b);
  const ratioTarget = (target: string, contender: string, passes: (ratio: number) => boolean) => {
    const rows = throughput.filter((row) => row.contender === contender);
    return {
      target,
      met: rows.length === 0 ? undefined : rows.every((row) => passes(row.libraryRatio)),
      detail: rows.map((row) => `${whole(row.size)}: ${fixed(row.libraryRatio, 2)}×`).join(', '),
    };
  };
  const growth = growthOf(throughput, CONTENDER.library, sizes[0], sizes.at(-1));
  const largestFirstInvoke = measurements.firstInvoke.find((row) => row.size >= 100_000);
  const unlimited = measurements.makespan.find(isLibraryUnlimited);
  return [
    ratioTarget(
      'per-task cost ≤ 0.5× hand-wired Promise.all at every size',
      CONTENDER.promiseAll,
      (ratio) => ratio <= 0.5,
    ),
    ratioTarget(
      'per-task cost ≤ 2× the bare loop at every size',
      CONTENDER.bareLoop,
      (ratio) => ratio <= 2,
    ),
    ratioTarget(
      '≥ 10× faster than p-graph at every size',
      CONTENDER.pGraph,
      (ratio) => ratio <= 0.1,
    ),
    {
      target: 'ns/task at the largest size ≤ 3× ns/task at the smallest',
      met: sizes.length < 2 ? undefined : growth <= 3,
      detail:
        `${whole(sizes.at(-1) ?? Number.NaN)} vs ${whole(sizes[0])}: ${fixed(growth, 2)}×` +
        growthContext(throughput, sizes[0], sizes.at(-1)),
    },
    ...partTwoTargets(measurements),
    {
      target: 'first invoke of a 100,000-task class < 1 s',
      met: largestFirstInvoke ? largestFirstInvoke.firstInvokeMs < 1_000 : undefined,
      detail: largestFirstInvoke
        ? `${fixed(largestFirstInvoke.firstInvokeMs, 0)} ms`
        : 'not measured',
    },
    {
      target: 'makespan ≤ 1.01 × critical path + 2 ms, unlimited concurrency',
      met: unlimited ? unlimited.worstOverTargetMs <= 0 : undefined,
      detail: unlimited
        ? `worst wall/critical path ${fixed(unlimited.worstRatio, 3)}, worst excess ${fixed(unlimited.worstExcessMs, 1)} ms`
        : 'not measured',
    },
  ];
}

/** The targets of Part II: the builder, features that cost nothing, small workflows. */
function partTwoTargets(measurements: BenchMeasurements): Verdict[] {
  const { throughput } = measurements;
  const verdicts: Verdict[] = [];
  const rowsOf = (contender: string) => throughput.filter((row) => row.contender === contender);
  const within = (contender: string, target: string, limit: number) => {
    const rows = rowsOf(contender);
    // libraryRatio = library ÷ contender; the contender's cost relative to the library is 1/that.
    verdicts.push({
      target,
      met: rows.length === 0 ? undefined : rows.every((row) => 1 / row.libraryRatio <= limit),
      detail: rows
        .map((row) => `${whole(row.size)}: ${fixed(1 / row.libraryRatio, 3)}×`)
        .join(', '),
    });
  };
  within(CONTENDER.builder, 'builder within 10% of the decorated class at every size', 1.1);
  // Judged on the two alone (see measureHeadToHead); among all contenders for reference.
  const headToHead = measurements.headToHead ?? [];
  const amongAll = rowsOf(CONTENDER.baseline)
    .map((row) => `${whole(row.size)}: ${fixed(row.libraryRatio, 3)}×`)
    .join(', ');
  verdicts.push({
    target: 'a plain workflow costs what it cost before Part II (within 5%) at every size',
    met: headToHead.length === 0 ? undefined : headToHead.every((row) => row.ratio <= 1.05),
    detail:
      headToHead.length === 0
        ? 'not measured'
        : `${headToHead.map((row) => `${whole(row.size)}: ${fixed(row.ratio, 3)}×`).join(', ')}` +
          (amongAll === '' ? '' : ` (among all contenders: ${amongAll})`),
  });
  const build = measurements.builderBuild?.find((row) => row.size >= 100_000);
  verdicts.push({
    target: 'building a 100,000-node DAG (addNode calls + sealing) < 250 ms',
    met: build ? build.buildMs < 250 : undefined,
    detail: build ? `${fixed(build.buildMs, 0)} ms` : 'not measured',
  });
  const feature = (name: string) => measurements.features?.find((row) => row.feature === name);
  for (const [name, limit] of [
    [FEATURE.stream, 1.5],
    [FEATURE.interceptor, 1.3],
  ] as const) {
    const row = feature(name);
    const floor = name === FEATURE.stream ? feature(FEATURE.forAwaitFloor) : undefined;
    const madeAsRead = name === FEATURE.stream ? feature(FEATURE.madeAsReadFloor) : undefined;
    verdicts.push({
      target: `${name} ≤ ${limit}× a plain invoke (10,000 tasks)`,
      met: row ? row.ratioToInvoke <= limit : undefined,
      detail: !row
        ? 'not measured'
        : floor
          ? `${fixed(row.ratioToInvoke, 2)}× (for await alone adds ${fixed(floor.ratioToInvoke, 2)}×` +
            (madeAsRead
              ? `, ${fixed(madeAsRead.ratioToInvoke, 2)}× making the events as it reads them)`
              : ')')
          : `${fixed(row.ratioToInvoke, 2)}×`,
    });
  }
  const small = (scenario: string) =>
    measurements.smallWorkflows?.find(
      (row) => row.scenario === scenario && row.contender === SMALL.library,
    );
  const clock = measurements.smallWorkflows?.find(
    (row) => row.scenario === SMALL.seedSequential && row.contender.startsWith(SMALL.clockReads),
  );
  for (const [scenario, limit, label] of [
    [SMALL.seedSequential, 1.5, 'seed graph, sequential invokes ≤ 1.5× hand-wired'],
    [SMALL.seedConcurrent, 2, 'seed graph, 1,000 concurrent invokes ≤ 2× hand-wired'],
    [SMALL.layered30, 0.5, '30-task, 4-level workflow ≤ 0.5× one Promise.all per task'],
  ] as const) {
    const row = small(scenario);
    verdicts.push({
      target: label,
      met: row ? row.ratioToHandWired <= limit : undefined,
      detail: !row
        ? 'not measured'
        : `${fixed(row.ratioToHandWired, 2)}× (${fixed(row.microsecondsPerInvoke, 2)} µs)` +
          (scenario === SMALL.seedSequential && clock
            ? `; ${clock.contender}: ${fixed(clock.ratioToHandWired, 2)}×`
            : ''),
    });
  }
  const heap = (contender: string) =>
    measurements.heapPerInvoke?.find((row) => row.contender === contender);
  const [now, before] = [heap(SMALL.library), heap(SMALL.baseline)];
  // Met only when both measures say so.
  const heapRatio = now && before ? now.bytesPerInvoke / before.bytesPerInvoke : undefined;
  const sampledRatio =
    now && before ? now.sampledBytesPerInvoke / before.sampledBytesPerInvoke : undefined;
  verdicts.push({
    target: 'heap allocated per invoke of the seed graph: half of what it was before Part II',
    met:
      heapRatio === undefined || sampledRatio === undefined
        ? undefined
        : heapRatio <= 0.5 && sampledRatio <= 0.5,
    detail:
      !now || !before
        ? 'not measured'
        : `${whole(now.bytesPerInvoke)} B now, ${whole(before.bytesPerInvoke)} B before ` +
          `(${fixed(heapRatio!, 2)}×); sampled: ${whole(now.sampledBytesPerInvoke)} B, ` +
          `${whole(before.sampledBytesPerInvoke)} B (${fixed(sampledRatio!, 2)}×)`,
  });
  const bare = rowsOf(CONTENDER.bareLoop).find((row) => row.size === 1_000);
  verdicts.push({
    target: 'per-task cost ≤ 1.8× the bare loop at 1,000 tasks',
    met: bare ? bare.libraryRatio <= 1.8 : undefined,
    detail: bare ? `${fixed(bare.libraryRatio, 2)}×` : 'not measured',
  });
  const growth = growthOf(throughput, CONTENDER.library, 1_000, 100_000);
  verdicts.push({
    target: 'ns/task growth from 1,000 to 100,000 tasks ≤ 2.5×',
    met: Number.isNaN(growth) ? undefined : growth <= 2.5,
    detail: Number.isNaN(growth)
      ? 'not measured'
      : `${fixed(growth, 2)}×` + growthContext(throughput, 1_000, 100_000),
  });
  const million = measurements.firstInvoke.find((row) => row.size >= 1_000_000);
  verdicts.push({
    target: 'first invoke of a 1,000,000-task class (scan, validate, run) < 3 s',
    met: million ? million.firstInvokeMs < 3_000 : undefined,
    detail: million ? `${fixed(million.firstInvokeMs, 0)} ms` : 'not measured',
  });
  return verdicts;
}

/** The verdicts as a Markdown table. */
export function verdictTable(verdicts: readonly Verdict[]): string {
  return markdownTable(
    ['target', 'met', 'measured'],
    verdicts.map((verdict) => [
      verdict.target,
      verdict.met === undefined ? 'n/a' : verdict.met ? 'yes' : 'NO',
      verdict.detail,
    ]),
  );
}
