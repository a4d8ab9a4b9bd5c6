/**
 * Turns measurements into Markdown tables (readable in a terminal, pasteable into BENCHMARKS.md)
 * and judges them against the performance targets of the benchmark issue.
 */
import { CONTENDER } from './contenders';
import type { FirstInvokeRow } from './first-invoke';
import { isLibraryUnlimited, type MakespanRow } from './makespan';
import type { ThroughputRow } from './throughput';

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
  const libraryNs = (size: number | undefined) =>
    throughput.find((row) => row.size === size && row.contender === CONTENDER.library)
      ?.medianNsPerTask ?? Number.NaN;
  const growth = libraryNs(sizes.at(-1)) / libraryNs(sizes[0]);
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
      detail: `${whole(sizes.at(-1) ?? Number.NaN)} vs ${whole(sizes[0])}: ${fixed(growth, 2)}×`,
    },
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
