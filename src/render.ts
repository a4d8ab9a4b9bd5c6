/**
 * Pictures of a workflow and of a run: the Mermaid graph of a class (as in the seed's diagram), a
 * run as a Mermaid Gantt chart, and a run as a terminal timeline on one shared time axis.
 */
import { columnWidth, fitColumns, leftToRightCell, printableText } from './display-text.js';
import { flowchartIds, flowchartLabel, ganttTaskLabel, mermaidText } from './mermaid-text.js';
import {
  awaitHint,
  awaitOptionsHint,
  colonThen,
  describeInput,
  isNamedOptions,
  unreadableOptions,
} from './describe.js';
import type { ExecutionResult } from './result.js';
import { didYouMean, unknownKey } from './suggest.js';
import type { TaskTrace, WorkflowGraph } from './types.js';

/**
 * `graph TD;` text with one `dependency-->task;` line per edge; a task with no edges gets its own
 * line. A task whose name is a plain identifier and no Mermaid keyword is a node with that id; any
 * other task gets a generated id and is declared first with its name as a quoted label, escaped
 * with Mermaid entity codes (see `flowchartIds` and `flowchartLabel` in mermaid-text.ts).
 *
 * @example
 * ```ts
 * mermaidGraph(Workflow.graph(Example)); // 'graph TD;\na-->b;'
 * // with tasks 'load data' and 'end' (a Mermaid keyword) instead:
 * // 'graph TD;\nt0["load data"];\nt1["end"];\nt0-->t1;'
 * ```
 */
export function mermaidGraph(graph: WorkflowGraph): string {
  const idOf = flowchartIds(graph.tasks.map((task) => task.name));
  const lines = ['graph TD;'];
  for (const { name } of graph.tasks) {
    const id = idOf.get(name)!;
    if (id !== name) lines.push(`${id}["${flowchartLabel(name)}"];`);
  }
  for (const { name, dependsOn, dependents } of graph.tasks) {
    const id = idOf.get(name)!;
    for (const dependency of dependsOn) lines.push(`${idOf.get(dependency)}-->${id};`);
    if (id === name && dependsOn.length === 0 && dependents.length === 0) lines.push(`${id};`);
  }
  return lines.join('\n');
}

/**
 * The run as a Mermaid Gantt chart: one bar per task that ran, in start order; failed tasks are
 * marked `crit`, tasks a fallback recovered are marked `active` and labelled `(recovered)`, skipped
 * tasks are zero-length milestones labelled with their reason.
 *
 * Names are escaped with Mermaid entity codes, which Mermaid shows as the characters they stand
 * for: in task names and in the workflow name (in `title` and `section`), `"#%&:;<>` `` ` `` `$`
 * and whitespace at either end become codes such as `#58;` for `:` (the separator of a bar's
 * label and its data), control characters are shown as control pictures (`␊`), and an empty name
 * as one space. A task name that starts with a Gantt keyword (`section`, `title`, `click`, …) or a
 * date has its first character encoded, so the line stays a bar. The axis counts seconds from the
 * run's start. Throws a `TypeError` for a `result` that is not a run's result (a run error's is
 * `error.result`).
 *
 * @example
 * ```ts
 * const result = await Workflow.invoke(new SeedExample(), 0);
 * console.log(toMermaidGantt(result)); // paste into a ```mermaid block
 * ```
 */
export function toMermaidGantt(result: ExecutionResult): string {
  requireResult('toMermaidGantt', result);
  const workflow = mermaidText(result.workflow);
  const lines = [
    'gantt',
    `  title ${workflow} run (${formatMs(result.durationMs)} ms)`,
    // Times are milliseconds since the run began, written as dates of 1 January 1970 (`x`), and
    // Mermaid formats the axis in the reader's time zone: `%s` (seconds since the epoch) counts
    // seconds from the run's start in every zone and never wraps at a minute, as `%S` does.
    '  dateFormat x',
    '  axisFormat %s.%L s',
    `  section ${workflow}`,
  ];
  for (const entry of result.trace) {
    const label = ganttTaskLabel(entry.task);
    const start = Math.round(entry.start);
    if (entry.status === 'skipped') {
      const reason = shortReason(entry.reason ?? '');
      const note = reason === '' ? 'skipped' : `skipped#58; ${mermaidText(reason)}`;
      lines.push(`  ${label} (${note}) :milestone, ${Math.round(entry.end)}, 0ms`);
      continue;
    }
    const end = Math.max(start + 1, Math.round(entry.end));
    const recovered = 'recoveredFrom' in entry;
    const tag = entry.status === 'failed' ? 'crit' : recovered ? 'active' : 'done';
    lines.push(`  ${label}${recovered ? ' (recovered)' : ''} :${tag}, ${start}, ${end}`);
  }
  return lines.join('\n');
}

/**
 * Options of {@link formatTimeline}.
 *
 * @example
 * ```ts
 * console.log(formatTimeline(result, { width: 120 } satisfies TimelineOptions));
 * ```
 */
export interface TimelineOptions {
  /**
   * Total width in columns: an integer from 20 to 10000 (`undefined` means the default, as for
   * every option, also under `exactOptionalPropertyTypes`).
   * @default 80
   */
  width?: number | undefined;
}

const TIMELINE_OPTIONS: readonly string[] = ['width'];
const MIN_TIMELINE_WIDTH = 20;
const MAX_TIMELINE_WIDTH = 10_000;

const BAR_BY_STATUS = { succeeded: '█', failed: '▒', skipped: '·' } as const;
const RECOVERED_BAR = '▓';
/** Longest skip reason shown, in columns: a picture is no place for a paragraph. */
const MAX_REASON_WIDTH = 40;

/**
 * The run as a terminal bar chart: one row per task on a shared time axis, failed tasks drawn with
 * `▒` and labelled `FAILED`, tasks a fallback recovered drawn with `▓` and labelled `recovered`,
 * skipped tasks marked `·` and labelled `skipped` with their reason. The bars keep at least a
 * third of the width: a reason that does not fit its row is cut with `…` (or left out, on a narrow
 * timeline), where it would have narrowed every bar.
 *
 * Any task name stays on its row: control characters are shown as control pictures (`␊` for a
 * newline, `␛` for an escape), a broken surrogate and a bidirectional override, embedding or
 * isolate (which would mirror the rest of the row) as `�`, and a long name is cut to whole
 * characters with `…`. A name in a right-to-left script is set off by left-to-right marks
 * (U+200E), so that its row's bar and label are not drawn mirrored. Widths are terminal columns:
 * wide East Asian characters and emoji take two, combining marks and zero-width characters none.
 * Throws a `TypeError` for a `result` that is not a run's result (a run error's is `error.result`),
 * options that are not an object, an unknown option or a width that is not a number, and a
 * `RangeError` for a width that is not an integer from 20 to 10000.
 *
 * @example
 * ```ts
 * const result = await Workflow.invoke(new SeedExample(), 0);
 * console.log(formatTimeline(result));
 * // fastTaskA █████                                                     0.0–101 ms
 * // slowTaskA ████████████████████████                                  0.0–502 ms
 * // …
 * // endTask                                                       █████ 1103–1204 ms
 * //           0                                                 1204 ms
 * ```
 */
export function formatTimeline(result: ExecutionResult, options: TimelineOptions = {}): string {
  requireResult('formatTimeline', result);
  const width = timelineWidth(options);
  const entries = result.trace;
  const names = entries.map((entry) => printableText(entry.task));
  const labels = entries.map(describeEntry);
  // The scale is the run's own duration: the axis ends at it, and bars are drawn on it (a run that
  // took no time — aborted before it started, or dated by fake timers — gets a millisecond's scale,
  // as bars need one that is not zero, but its axis still ends at 0).
  let total = result.durationMs > 0 ? result.durationMs : 0;
  let longestName = 4;
  let labelWidth = 0;
  // The labels' width without their skip reasons: what they cannot do without.
  let timesWidth = 0;
  entries.forEach((entry, row) => {
    total = Math.max(total, entry.end);
    longestName = Math.max(longestName, columnWidth(names[row]));
    const label = columnWidth(labels[row]);
    labelWidth = Math.max(labelWidth, label);
    timesWidth = Math.max(
      timesWidth,
      entry.status === 'skipped' ? columnWidth(skippedAt(entry)) : label,
    );
  });
  // Columns: name, space, bar, space, label. A skip reason gets the columns the bars leave past a
  // third of the width, and is cut at the end of its row: one long reason must not squeeze every
  // bar and name. Narrow widths shrink the bar, then the names.
  let nameWidth = Math.min(24, longestName);
  labelWidth = Math.min(
    labelWidth,
    Math.max(timesWidth, width - nameWidth - 2 - Math.floor(width / 3)),
  );
  const spareForBar = width - nameWidth - labelWidth - 2;
  if (spareForBar < MIN_BAR_WIDTH) {
    nameWidth = Math.max(MIN_NAME_WIDTH, nameWidth - (MIN_BAR_WIDTH - spareForBar));
  }
  const barWidth = Math.max(1, width - nameWidth - labelWidth - 2);
  const scale = total > 0 ? total : 1;
  const labelRoom = width - nameWidth - barWidth - 2;

  const rows = entries.map((entry, row) => {
    // Start and end rounded alike: a task that starts when another ends starts where its bar ends.
    const from = Math.min(barWidth - 1, Math.round((entry.start / scale) * barWidth));
    const to = Math.min(barWidth, Math.max(from + 1, Math.round((entry.end / scale) * barWidth)));
    const fill = 'recoveredFrom' in entry ? RECOVERED_BAR : BAR_BY_STATUS[entry.status];
    const bar = ' '.repeat(from) + fill.repeat(to - from);
    const name = leftToRightCell(fitColumns(names[row], nameWidth));
    const label = entry.status === 'skipped' ? skippedLabel(entry, labelRoom) : labels[row];
    const line = `${name} ${bar.padEnd(barWidth)} ${label}`;
    return fitColumns(line, width);
  });
  const totalLabel = `${formatMs(total)} ms`;
  // The total ends under the bar's last column — past it when the bar is too narrow, one space on.
  const axis = `${' '.repeat(nameWidth)} 0${totalLabel.padStart(Math.max(totalLabel.length + 1, barWidth - 1))}`;
  return [...rows, fitColumns(axis, width)].map((line) => line.trimEnd()).join('\n');
}

/**
 * Throws a `TypeError` unless `value` looks like a run's `ExecutionResult` (checked by shape, so a
 * result of another loaded copy of the package passes). Passing a run's error instead of its
 * `result` is the likely mistake, and the message says so.
 */
function requireResult(caller: string, value: unknown): asserts value is ExecutionResult {
  let hint = '';
  try {
    if (isResultLike(value)) return;
    if (isResultLike((value as { result?: unknown } | null)?.result)) {
      hint = " A run error holds the run's result: pass error.result.";
    }
  } catch {
    // A Proxy or a getter that throws: not a result.
  }
  throw new TypeError(
    `${caller}: expected the ExecutionResult of a run, got ${describeInput(value)}.` +
      `${awaitHint(value)}${hint}`,
  );
}

function isResultLike(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ExecutionResult).workflow === 'string' &&
    typeof (value as ExecutionResult).durationMs === 'number' &&
    Array.isArray((value as ExecutionResult).trace)
  );
}

/** The validated `width` of {@link formatTimeline}'s options. */
function timelineWidth(options: TimelineOptions): number {
  if (!isNamedOptions(options)) {
    throw new TypeError(
      `formatTimeline: options must be an object such as { width: 80 }, got ${describeInput(options)}.` +
        awaitOptionsHint(options),
    );
  }
  let unknown: string | undefined;
  let width: unknown;
  try {
    unknown = unknownKey(options, TIMELINE_OPTIONS);
    ({ width = 80 } = options);
  } catch (error) {
    throw unreadableOptions('formatTimeline', error);
  }
  if (unknown !== undefined) {
    const hint =
      didYouMean(unknown, TIMELINE_OPTIONS) || ` Options: ${TIMELINE_OPTIONS.join(', ')}.`;
    throw new TypeError(`formatTimeline: unknown option ${describeInput(unknown)}.${hint}`);
  }
  if (
    typeof width === 'number' &&
    Number.isInteger(width) &&
    width >= MIN_TIMELINE_WIDTH &&
    width <= MAX_TIMELINE_WIDTH
  ) {
    return width;
  }
  const message =
    `formatTimeline: option "width" must be an integer from ${MIN_TIMELINE_WIDTH} to ` +
    `${MAX_TIMELINE_WIDTH} columns, got ${describeInput(width)}.`;
  throw typeof width === 'number' ? new RangeError(message) : new TypeError(message);
}

const MIN_BAR_WIDTH = 10;
const MIN_NAME_WIDTH = 6;

function describeEntry(entry: TaskTrace): string {
  if (entry.status === 'skipped') return skippedLabel(entry, Infinity);
  let label = `${formatMs(entry.start)}–${formatMs(entry.end)} ms`;
  if (entry.attempts > 1) label += ` (${entry.attempts} attempts)`;
  if (entry.status === 'failed') label += ' FAILED';
  if ('recoveredFrom' in entry) label += ' recovered';
  return label;
}

/**
 * A skipped task's label in `room` columns: when it was skipped, then as much of its reason as
 * fits, cut with `…` — or no reason, when too little of it would.
 */
function skippedLabel(entry: TaskTrace, room: number): string {
  const at = skippedAt(entry);
  const reason = colonThen(shortReason(entry.reason ?? ''));
  if (columnWidth(at) + columnWidth(reason) <= room) return at + reason;
  const reasonRoom = room - columnWidth(at);
  return reasonRoom < MIN_REASON_WIDTH ? at : at + fitColumns(reason, reasonRoom).trimEnd();
}

/** Fewest columns a cut skip reason is shown in, with its `: ` and `…`. */
const MIN_REASON_WIDTH = 6;

/** The label of a skipped task without its reason. */
function skippedAt(entry: TaskTrace): string {
  return `skipped at ${formatMs(entry.end)} ms`;
}

/** A skip reason on one line, cut to {@link MAX_REASON_WIDTH} columns. */
function shortReason(reason: string): string {
  return fitColumns(printableText(reason), MAX_REASON_WIDTH).trimEnd();
}

/**
 * Milliseconds as pictures show them: whole from 100, tenths from 1 (and zero: "0.0"), hundredths
 * below (a run shorter than a millisecond would be all "0.0" and "0.1" in tenths). The range is
 * that of the value as rounded, so 99.96 is "100", not "100.0", and 0.996 is "1.0", not "1.00".
 */
function formatMs(ms: number): string {
  if (ms >= 99.95) return String(Math.round(ms));
  return ms >= 0.995 || ms === 0 ? ms.toFixed(1) : ms.toFixed(2);
}
