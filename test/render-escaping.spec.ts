/**
 * Every picture escapes names: `Workflow.toMermaid`, `toMermaidGantt` and `formatTimeline` stay
 * valid for any task and workflow name — spaces, Mermaid syntax and keywords, control characters,
 * astral characters, broken surrogates. The Mermaid pictures are checked with Mermaid's own parser
 * (the one `mermaid.render` uses), and what it parsed is compared with the workflow.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import './support/fuzz';
import {
  buildDag,
  Task,
  Workflow,
  WorkflowExecutionError,
  formatTimeline,
  skip,
  toMermaidGantt,
  type ExecutionResult,
  type WorkflowClass,
} from '../src';
import { declareTask } from './support/declare-task';
import { sleep } from './support/event-log';
import { loadMermaid, type MermaidReader, type ParsedFlowchart } from './support/mermaid-parser';

/** Names that break a picture that pastes them in as they are. */
const HOSTILE_NAMES: readonly string[] = [
  // Spaces and punctuation with a meaning in Mermaid flowcharts or Gantt charts.
  'my task',
  'a;b',
  'key: value',
  'a:b:c',
  '#hash',
  'C#',
  '#quot;',
  '#35;',
  '&amp;',
  'say "hi"',
  '"',
  "it's",
  'back`tick`',
  '`markdown`',
  '[x]',
  '(x)',
  '((x))',
  '{x}',
  '>x]',
  'a|b',
  '|x|',
  'a-->b',
  '-->',
  'a --- b',
  'a -- text --> b',
  'a & b',
  'x:::someClass',
  '<b>bold</b>',
  '<script>alert(1)</script>',
  '<br/>',
  'fa:fa-car',
  '$$x^2$$',
  '%',
  '%%',
  '%% a comment',
  'a%b',
  '%%{init: {"theme": "forest"}}%%',
  'style a fill:#f00;',
  '\\',
  '@{ shape: circle }',
  'a@b',
  // Whitespace and control characters.
  'line\nbreak',
  'windows\r\nline',
  'tab\there',
  'form\ffeed',
  '\u001b[31mred\u001b[0m',
  'nul\u0000byte',
  'del\u007fete',
  'next\u0085line',
  'line\u2028separator',
  '',
  ' ',
  '\t',
  '  padded  ',
  '\u00a0',
  // Mermaid keywords, alone and at the start of a label.
  'end',
  'graph',
  'flowchart',
  'subgraph',
  'style',
  'linkStyle',
  'click',
  'call',
  'href',
  'class',
  'classDef',
  'default',
  'interpolate',
  'direction',
  'direction TB',
  'x direction LR',
  '_self',
  '_blank',
  'o',
  'x',
  'v',
  'section',
  'section s',
  'title',
  'title t',
  'gantt',
  'gantt chart',
  'dateFormat',
  'dateFormat YYYY',
  'axisFormat %H',
  'tickInterval 1day',
  'excludes weekends',
  'includes x',
  'todayMarker off',
  'weekday monday',
  'inclusiveEndDates',
  'topAxis',
  'accTitle',
  'accTitle: t',
  'accDescr {',
  'after',
  'after x',
  'crit',
  'done',
  'active',
  'milestone',
  'vert',
  'click x href "y"',
  'call f()',
  // Names that look like numbers, dates, or JavaScript internals.
  '42',
  '-1',
  '3.14',
  '1e3',
  '0x1F',
  'NaN',
  'Infinity',
  '2024-01-01',
  '2024-01-01 deploy',
  '__proto__',
  'toString',
  'hasOwnProperty',
  // Outside the Basic Multilingual Plane, and broken surrogate pairs.
  '😀',
  '😀 grin',
  '👨‍👩‍👧',
  '𠀀𠀁',
  '漢字',
  'e\u0301',
  '\ud800',
  'lone \udc00 low',
  'reversed \udc00\ud800',
  // Right-to-left text, and the bidirectional controls that reorder the rest of a line.
  'עברית',
  'مرحبا task',
  '\u202eevil',
  'a\u2067isolated',
];

/**
 * Control characters (C0, DEL, C1), the Unicode line and paragraph separators, and the
 * bidirectional embeddings, overrides and isolates, which reorder the rest of a line.
 */
const CONTROL_CHARACTER = /\p{Cc}|[\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/**
 * What a picture shows for a name: control characters as control pictures (`␊` for a newline) or
 * U+FFFD, a bidirectional embedding, override or isolate and a broken surrogate as U+FFFD, and an
 * empty name as one space (Mermaid has no empty labels).
 */
function shown(name: string): string {
  if (name === '') return ' ';
  return name.replace(/\p{Cc}|[\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu, (character) => {
    const code = character.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return '\ufffd';
  });
}

/** A task of a test workflow: its name, what it waits for, and whether it sleeps or throws. */
interface TaskSpec {
  readonly name: string;
  readonly dependsOn?: readonly string[];
  readonly sleepMs?: number;
  readonly fails?: boolean;
}

/** A class named `className` with `tasks`, declared the way `tsc` emits decorators. */
function defineWorkflow(className: string, tasks: readonly TaskSpec[]): WorkflowClass {
  const Defined = { [className]: class {} }[className];
  for (const { name, dependsOn = [], sleepMs, fails = false } of tasks) {
    const body = () => {
      if (fails) throw new Error(`${name} failed`);
      return sleepMs === undefined ? name : sleep(sleepMs).then(() => name);
    };
    declareTask(Defined.prototype, name, body, { dependsOn: [...dependsOn] });
  }
  return Defined;
}

/** Runs `workflowClass` with `failFast: false`; a failed run's result is returned as well. */
async function resultOf(workflowClass: WorkflowClass): Promise<ExecutionResult> {
  const instance = new (workflowClass as new () => object)();
  try {
    return await Workflow.invoke(instance, undefined, { failFast: false });
  } catch (error) {
    if (error instanceof WorkflowExecutionError) return error.result;
    throw error;
  }
}

/** `upstream → name → downstream`: the name as an edge target and an edge source. */
const chainAround = (name: string): TaskSpec[] => [
  { name: 'upstream' },
  { name, dependsOn: ['upstream'] },
  { name: 'downstream', dependsOn: [name] },
];

/** The edges of a parsed flowchart, as `from→to` with the labels Mermaid shows. */
function labelledEdges({ nodes, edges }: ParsedFlowchart): string[] {
  const labelOf = new Map(nodes.map(({ id, label }) => [id, label]));
  return edges.map(([from, to]) => `${labelOf.get(from)}→${labelOf.get(to)}`);
}

/** What a Gantt bar's label says, without the space Mermaid keeps before the `:`. */
const barLabel = (label: string) => label.replace(/ $/, '');

/** Runs `check` for every name and reports all the names it failed for at once. */
async function forEveryName(
  names: readonly string[],
  check: (name: string) => Promise<void> | void,
): Promise<void> {
  const failures: string[] = [];
  for (const name of names) {
    try {
      await check(name);
    } catch (error) {
      failures.push(`${JSON.stringify(name)}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  expect(failures, `${failures.length} of ${names.length} names failed`).to.deep.equal([]);
}

const hasLoneSurrogate = (text: string) => /[\ud800-\udfff]/u.test(text);
const hasControlCharacter = (text: string) => CONTROL_CHARACTER.test(text);
/**
 * A lower bound of the terminal columns `text` takes: its code points, but for combining marks and
 * format characters (accents written apart, zero-width spaces, joiners), which take none.
 */
const visibleCodePoints = (text: string) => [...text.replace(/[\p{Mn}\p{Me}\p{Cf}]/gu, '')].length;

describe('pictures of workflows with any task and workflow names', function () {
  // Properties that parse every picture with Mermaid's own parser: up to 5 s each on a 2-core
  // machine under the load of other test runs, half of mocha's 10 s default (a hang guard).
  this.timeout(30_000);
  let mermaid: MermaidReader;

  before(async function () {
    this.timeout(30_000);
    mermaid = await loadMermaid();
  });

  describe('Workflow.toMermaid', () => {
    it('keeps plain names as node ids, exactly as before', async () => {
      const Seed = defineWorkflow('Seed', [
        { name: 'fastTaskA' },
        { name: 'slowTaskA' },
        { name: 'fastTaskB' },
        { name: 'slowTaskB', dependsOn: ['fastTaskA'] },
        { name: 'fastTaskC', dependsOn: ['slowTaskA', 'fastTaskB'] },
        { name: 'endTask', dependsOn: ['fastTaskC', 'slowTaskB'] },
        { name: 'alone_1' },
      ]);
      const text = Workflow.toMermaid(Seed);
      expect(text).to.equal(
        [
          'graph TD;',
          'fastTaskA-->slowTaskB;',
          'slowTaskA-->fastTaskC;',
          'fastTaskB-->fastTaskC;',
          'fastTaskC-->endTask;',
          'slowTaskB-->endTask;',
          'alone_1;',
        ].join('\n'),
      );
      const parsed = await mermaid.flowchart(text);
      expect(parsed.nodes.map(({ id, label }) => `${id}=${label}`)).to.have.members(
        ['fastTaskA', 'slowTaskA', 'fastTaskB', 'slowTaskB', 'fastTaskC', 'endTask', 'alone_1'].map(
          (name) => `${name}=${name}`,
        ),
      );
    });

    it('draws a task of any name as one node labelled with that name, with its edges', async () => {
      await forEveryName(HOSTILE_NAMES, async (name) => {
        const parsed = await mermaid.flowchart(
          Workflow.toMermaid(defineWorkflow('Chain', chainAround(name))),
        );
        expect(parsed.nodes.map(({ label }) => label)).to.have.members([
          'upstream',
          shown(name),
          'downstream',
        ]);
        expect(labelledEdges(parsed)).to.have.members([
          `upstream→${shown(name)}`,
          `${shown(name)}→downstream`,
        ]);
      });
    });

    it('writes $, & and ; as entity codes, and gives a name with - a generated id', () => {
      const text = Workflow.toMermaid(
        defineWorkflow('Costs', [{ name: 'a-b' }, { name: 'a$b&c;d', dependsOn: ['a-b'] }]),
      );
      expect(text).to.equal(
        ['graph TD;', 't0["a-b"];', 't1["a#36;b#38;c#59;d"];', 't0-->t1;'].join('\n'),
      );
    });

    it('declares an isolated task with a generated id once, by its label line alone', () => {
      const text = Workflow.toMermaid(
        defineWorkflow('Isolated', [{ name: 'load data' }, { name: 'alone' }]),
      );
      expect(text).to.equal(['graph TD;', 't0["load data"];', 'alone;'].join('\n'));
    });

    it('draws a task of any name that has no edges as one node', async () => {
      await forEveryName(HOSTILE_NAMES, async (name) => {
        const parsed = await mermaid.flowchart(
          Workflow.toMermaid(defineWorkflow('Alone', [{ name }])),
        );
        expect(parsed.nodes.map(({ label }) => label)).to.deep.equal([shown(name)]);
        expect(parsed.edges).to.deep.equal([]);
      });
    });

    it('gives every task its own node when all hostile names and names like generated ids meet', async () => {
      const names = [...HOSTILE_NAMES, 't0', 't1', 't2', 't3', 't1_', 'T0', 'n0'];
      const tasks = names.map((name, index) => ({
        name,
        dependsOn: index === 0 ? [] : [names[index - 1]],
      }));
      const parsed = await mermaid.flowchart(
        Workflow.toMermaid(defineWorkflow('Everything', tasks)),
      );

      expect(parsed.nodes).to.have.length(names.length);
      expect(parsed.nodes.map(({ label }) => label)).to.have.members(names.map(shown));
      expect(labelledEdges(parsed)).to.have.members(
        tasks.slice(1).map(({ name, dependsOn }) => `${shown(dependsOn[0])}→${shown(name)}`),
      );
    });
  });

  describe('a name with a long run of spaces inside', () => {
    // Trailing whitespace was found with /\s+$/, which retries from every space of an inner run:
    // 100,000 spaces took 3 s per picture, a million hours. No clock is read here: with 200,000,
    // such a search takes 12 s per picture, so the two pictures overrun the suite's 10 s timeout
    // and the test fails, while in linear time they take milliseconds.
    const name = `   load${' '.repeat(200_000)}users  `;
    const label = `#32;#32;#32;load${' '.repeat(200_000)}users#32;#32;`;

    it('is drawn in linear time by Workflow.toMermaid and toMermaidGantt', async () => {
      const tm = buildDag({ name });
      tm.addNode({ name }, () => 1);
      expect(tm.toMermaid()).to.equal(`graph TD;\nt0["${label}"];`);
      const gantt = toMermaidGantt(await tm.invoke());
      expect(gantt.split('\n').slice(1, 5)).to.deep.equal([
        `  title ${label} run (${/\(([\d.]+) ms\)/.exec(gantt)![1]} ms)`,
        '  dateFormat x',
        '  axisFormat %s.%L s',
        `  section ${label}`,
      ]);
      expect(gantt).to.contain(`\n  ${label} :done, `);
    });
  });

  describe('toMermaidGantt', () => {
    it('gives a chart Mermaid parses for any task and workflow name, one bar per trace entry', async () => {
      await forEveryName(HOSTILE_NAMES, async (name) => {
        const result = await resultOf(defineWorkflow(name, chainAround(name)));
        const parsed = await mermaid.gantt(toMermaidGantt(result));

        expect(parsed.title).to.match(/ run \([\d.]+ ms\)$/);
        expect(parsed.title.replace(/ run \([\d.]+ ms\)$/, '')).to.equal(shown(result.workflow));
        expect(parsed.sections).to.deep.equal([shown(result.workflow)]);
        expect(parsed.tasks.map(({ label }) => barLabel(label))).to.deep.equal(
          result.trace.map(({ task }) => shown(task)),
        );
      });
    });

    it('encodes the first letter of a bar that starts with a Gantt keyword in any case, and only of a whole word', async () => {
      const names = ['weekend', 'href', 'Title', 'titleCase', 'cost $5 & tax; total'];
      const result = await resultOf(
        defineWorkflow(
          'Keywords',
          names.map((name) => ({ name })),
        ),
      );
      const gantt = toMermaidGantt(result);
      const labels = gantt
        .split('\n')
        .map((line) => /^ {2}(.*) :done, /.exec(line)?.[1])
        .filter((label) => label !== undefined);
      expect(labels).to.have.members([
        '#119;eekend',
        '#104;ref',
        '#84;itle',
        'titleCase',
        'cost #36;5 #38; tax#59; total',
      ]);
      const parsed = await mermaid.gantt(gantt);
      expect(parsed.tasks.map(({ label }) => barLabel(label))).to.have.members(names);
    });

    it('keeps failed tasks crit and skipped tasks milestones, whatever their names', async () => {
      await forEveryName(HOSTILE_NAMES, async (name) => {
        const result = await resultOf(
          defineWorkflow('Broken', [
            { name: 'fine' },
            { name, fails: true },
            { name: `${name}→skipped`, dependsOn: [name] },
          ]),
        );
        const parsed = await mermaid.gantt(toMermaidGantt(result));
        const bars = parsed.tasks.map(
          ({ label, crit, milestone }) =>
            `${barLabel(label)}${crit ? ' [crit]' : ''}${milestone ? ' [milestone]' : ''}`,
        );
        // `fine` and the failing task are roots; either may be listed first. The skipped task's
        // label ends with its reason, which names the (hostile) failed task, cut to 40 columns.
        const skippedPrefix = `${shown(`${name}→skipped`)} (skipped: dependency `;
        const skipped = bars.find((bar) => bar.startsWith(skippedPrefix));
        expect(skipped, `a skipped bar in ${JSON.stringify(bars)}`).to.match(/\) \[milestone\]$/);
        expect(bars.filter((bar) => bar !== skipped)).to.have.members([
          'fine',
          `${shown(name)} [crit]`,
        ]);
      });
    });
  });

  describe('formatTimeline', () => {
    it('draws one row per task, on one line and within the width, whatever the names contain', async () => {
      await forEveryName(HOSTILE_NAMES, async (name) => {
        const result = await resultOf(defineWorkflow('Chain', chainAround(name)));
        for (const width of [20, 40, 80]) {
          const lines = formatTimeline(result, { width }).split('\n');
          expect(lines, `width ${width}`).to.have.length(result.trace.length + 1);
          for (const line of lines) {
            expect(visibleCodePoints(line), `width ${width}: ${line}`).to.be.at.most(width);
            expect(hasLoneSurrogate(line), `lone surrogate in ${JSON.stringify(line)}`).to.equal(
              false,
            );
            expect(
              hasControlCharacter(line),
              `control character in ${JSON.stringify(line)}`,
            ).to.equal(false);
          }
        }
        // The name column shows the start of the name (the whole name, if it is short), after the
        // left-to-right mark that sets off a right-to-left name.
        const row = formatTimeline(result, { width: 200 })
          .split('\n')[1]
          .replace(/^\u200e/, '');
        const start = [...shown(name)].slice(0, 10).join('');
        expect(row.startsWith(start), `${JSON.stringify(row)} starts with the name`).to.equal(true);
      });
    });

    it('truncates a long name by whole characters, never inside a surrogate pair', async () => {
      const names = ['😀'.repeat(40), `a${'𠀀'.repeat(40)}`, `${'x'.repeat(22)}😀😀😀`];
      const result = await resultOf(
        defineWorkflow(
          'Long',
          names.map((name) => ({ name })),
        ),
      );
      for (const width of [20, 33, 34, 80]) {
        for (const line of formatTimeline(result, { width }).split('\n')) {
          expect(hasLoneSurrogate(line), `width ${width}: ${JSON.stringify(line)}`).to.equal(false);
          expect(visibleCodePoints(line), `width ${width}: ${line}`).to.be.at.most(width);
        }
      }
      const rows = formatTimeline(result, { width: 80 }).split('\n');
      expect(rows[0]).to.match(/^(😀)+…/u);
      expect(rows[1]).to.match(/^a(𠀀)+…/u);
    });

    it('keeps a right-to-left name from reordering its row: the name is set off by LTR marks', async () => {
      // Under the Unicode bidirectional algorithm, the spaces, bar and numbers between a Hebrew or
      // Arabic name and the next left-to-right letter would take the name's direction, and a
      // browser or bidi-aware terminal would draw them mirrored, before the name. A left-to-right
      // mark (U+200E) before the name and after its column keeps the row left to right.
      const names = ['plain', 'עברית', 'مرحبا task', 'x\u200f', 'ok \u05d0'];
      const result = await resultOf(
        defineWorkflow(
          'Bidi',
          names.map((name) => ({ name, sleepMs: 30 })),
        ),
      );
      const rows = formatTimeline(result, { width: 60 }).split('\n').slice(0, -1);
      for (const row of rows) {
        const name = names.find((candidate) => row.includes(candidate.slice(0, 3)))!;
        const bar = row.indexOf('█');
        if (name === 'plain') {
          expect(row, row).not.to.contain('\u200e');
        } else {
          expect(row.startsWith(`\u200e${name}`), JSON.stringify(row)).to.equal(true);
          // Nothing right-to-left after the mark that follows the name's column.
          const after = row.slice(row.lastIndexOf('\u200e', bar));
          expect(after.slice(0, bar - row.lastIndexOf('\u200e', bar)).trim(), row).to.equal(
            '\u200e',
          );
          expect(/[\u0590-\u08ff\u200f]/u.test(after), JSON.stringify(row)).to.equal(false);
        }
      }
      // The marks take no column: the bars still line up.
      const barColumns = rows.map((row) => row.slice(0, row.indexOf('█')).replace(/\p{Cf}/gu, ''));
      expect(new Set(barColumns.map((text) => [...text].length)).size, rows.join('\n')).to.equal(1);
    });

    it('lines the bars up after names with wide and astral characters', async () => {
      /** Columns a terminal gives a character: 2 for the wide ones used here, 1 otherwise. */
      const columns = (text: string) =>
        [...text].reduce((sum, character) => sum + (/[😀漢字𠀀]/u.test(character) ? 2 : 1), 0);
      const names = ['plain', '漢字', '😀', '𠀀𠀀x', 'é', 'tab\tname'];
      // Every task is a root that sleeps 30 ms, so every bar starts in the first bar column.
      const result = await resultOf(
        defineWorkflow(
          'Roots',
          names.map((name) => ({ name, sleepMs: 30 })),
        ),
      );
      const rows = formatTimeline(result, { width: 60 }).split('\n').slice(0, -1);
      const barColumns = rows.map((row) => columns(row.slice(0, row.search(/[█▒·]/))));
      expect(new Set(barColumns).size, rows.join('\n')).to.equal(1);
    });

    it('counts emoji with default emoji presentation as two columns, so rows keep the width', async () => {
      const wideEmoji = ['😀', '✅', '⚡', '❌', '🫠', '⭐', '⌛'];
      /** Columns a terminal gives a character: 2 for the emoji used here, 1 otherwise. */
      const columns = (text: string) =>
        [...text].reduce((sum, character) => sum + (wideEmoji.includes(character) ? 2 : 1), 0);
      const names = [
        'ok',
        '😀 grin',
        '✅ done',
        '⚡ fast',
        '❌ fail',
        '🫠 melt',
        '⭐ star',
        '⌛ wait',
      ];
      // Every task is a root that sleeps 30 ms, so every bar starts in the first bar column.
      const result = await resultOf(
        defineWorkflow(
          'Emoji',
          names.map((name) => ({ name, sleepMs: 30 })),
        ),
      );
      const lines = formatTimeline(result, { width: 40 }).split('\n');
      const rows = lines.slice(0, -1);
      const shownNames = rows.map((row) => names.find((name) => row.startsWith(`${name} `)));
      expect(shownNames, lines.join('\n')).to.have.members(names);
      for (const line of lines) expect(columns(line), line).to.be.at.most(40);
      // The name column, the bars and the labels start in the same terminal column on every row.
      const barColumns = rows.map((row) => columns(row.slice(0, row.indexOf('█'))));
      const labelColumns = rows.map((row) => columns(row.slice(0, row.search(/\d/))));
      expect(barColumns, lines.join('\n')).to.deep.equal(names.map(() => barColumns[0]));
      expect(labelColumns, lines.join('\n')).to.deep.equal(names.map(() => labelColumns[0]));
      // The longest row fills the width exactly: name column (7), bar, and the widest label.
      expect(Math.max(...rows.map(columns)), lines.join('\n')).to.equal(40);
    });

    it('gives combining marks and zero-width characters no column, so bars line up', async () => {
      const zeroWidth = ['\u0301', '\u200b'];
      /** Columns a terminal gives a character: 0 for the marks used here, 1 otherwise. */
      const columns = (text: string) =>
        [...text].reduce((sum, character) => sum + (zeroWidth.includes(character) ? 0 : 1), 0);
      const names = ['cafe', 'cafe\u0301', 'a\u200bb'];
      const result = await resultOf(
        defineWorkflow(
          'Marks',
          names.map((name) => ({ name, sleepMs: 30 })),
        ),
      );
      const lines = formatTimeline(result, { width: 40 }).split('\n');
      const rows = lines.slice(0, -1);
      const barColumns = rows.map((row) => columns(row.slice(0, row.indexOf('█'))));
      expect(barColumns, lines.join('\n')).to.deep.equal(names.map(() => barColumns[0]));
      for (const row of rows) expect(columns(row), row).to.equal(columns(rows[0]));
    });

    it('measures a skip reason in terminal columns, so a wide one is shown whole', async () => {
      const reason = '中'.repeat(20); // 20 characters, 40 columns
      class Skipping {
        @Task() skipped(): number {
          return skip(reason);
        }
      }
      const result = await Workflow.invoke(new Skipping());
      // At 120 columns the bars keep a third and the label its 60: had the reason been measured
      // as 20 columns, the bars would take 20 more and the row would be cut.
      const [row] = formatTimeline(result, { width: 120 }).split('\n');
      expect(row.endsWith(`: ${reason}`), row).to.equal(true);
      const columns = [...row].reduce((sum, character) => sum + (character === '中' ? 2 : 1), 0);
      expect(columns, row).to.be.at.most(120);
    });

    it('rejects a width it cannot draw, naming the option and the value', async () => {
      const result = await resultOf(defineWorkflow('Small', [{ name: 'a' }]));
      for (const width of [19, 0, -80, 20.5, NaN, Infinity, -Infinity, 10_001, 2 ** 53]) {
        expect(() => formatTimeline(result, { width }), `width ${width}`)
          .to.throw(RangeError)
          .with.property('message')
          .that.contains('"width"')
          .and.contains(`got ${width}.`);
      }
      for (const width of ['80', null, true, 80n, {}]) {
        expect(() => formatTimeline(result, { width } as never), `width ${String(width)}`)
          .to.throw(TypeError)
          .with.property('message')
          .that.contains('"width"');
      }
      expect(() => formatTimeline(result, { width: Infinity })).to.throw(
        'formatTimeline: option "width" must be an integer from 20 to 10000 columns, got Infinity.',
      );
      for (const width of [20, 10_000, undefined]) {
        expect(formatTimeline(result, { width }).split('\n')).to.have.length(2);
      }
    });

    it('rejects unknown options with a suggestion, and options that are not an object', async () => {
      const result = await resultOf(defineWorkflow('Small', [{ name: 'a' }]));
      expect(() => formatTimeline(result, { widths: 80 } as never)).to.throw(
        TypeError,
        'formatTimeline: unknown option "widths". Did you mean "width"?',
      );
      expect(() => formatTimeline(result, { Width: 80 } as never)).to.throw(
        TypeError,
        'formatTimeline: unknown option "Width". Did you mean "width"?',
      );
      expect(() => formatTimeline(result, { colour: true } as never)).to.throw(
        TypeError,
        'formatTimeline: unknown option "colour". Options: width.',
      );
      for (const options of [80, 'wide', null, [80], () => 80]) {
        expect(() => formatTimeline(result, options as never), String(options))
          .to.throw(TypeError)
          .with.property('message')
          .that.matches(/^formatTimeline: options must be an object such as \{ width: 80 \}, got /);
      }
      expect(() => formatTimeline(result, Promise.resolve({ width: 80 }) as never)).to.throw(
        TypeError,
        'formatTimeline: options must be an object such as { width: 80 }, got a promise. ' +
          'Await it first.',
      );
      // Options whose getter throws: said so, with what it threw as the cause.
      const boom = new Error('width boom');
      const throwing = {
        get width(): number {
          throw boom;
        },
      };
      expect(() => formatTimeline(result, throwing))
        .to.throw(TypeError, 'formatTimeline: options could not be read: width boom')
        .with.property('cause', boom);
    });
  });

  describe('with arbitrary unicode names (property)', () => {
    /** One unit of a name: any code point, a lone surrogate, or a piece of Mermaid syntax. */
    const nameUnit = fc.oneof(
      { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: 0xd800, max: 0xdfff })
          .map((code) => String.fromCharCode(code)),
      },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          ...[
            'end',
            'graph',
            'style',
            'class',
            'o',
            'x',
            'title ',
            'section ',
            'click ',
            'direction TB',
          ],
          ...[
            ':',
            ';',
            '#',
            '%%',
            '%',
            '"',
            '`',
            '-->',
            '[',
            ']',
            '(',
            ')',
            '{',
            '}',
            '|',
            '<',
            '>',
            '&',
          ],
          ...[' ', '\n', '\r', '\t', '\u2028', '😀', '𠀀', 'é', '42', '2024-01-01', 'accDescr {'],
        ),
      },
    );
    const anyName = fc.string({ unit: nameUnit, maxLength: 6 });
    const anyWorkflow = fc
      .record({
        className: anyName,
        names: fc.uniqueArray(anyName, { minLength: 1, maxLength: 6 }),
        edges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
        failing: fc.array(fc.nat(), { maxLength: 2 }),
        width: fc.integer({ min: 20, max: 120 }),
      })
      .map(({ className, names, edges, failing, width }) => {
        const dependsOn = names.map(() => new Set<string>());
        for (const [a, b] of edges) {
          const [from, to] = [a % names.length, b % names.length].sort((x, y) => x - y);
          if (from !== to) dependsOn[to].add(names[from]);
        }
        const failingNames = new Set(failing.map((index) => names[index % names.length]));
        const tasks: TaskSpec[] = names.map((name, index) => ({
          name,
          dependsOn: [...dependsOn[index]],
          fails: failingNames.has(name),
        }));
        return { className, tasks, width };
      });

    it('draws both Mermaid pictures so that they parse, and one well-formed timeline row per task', async () => {
      await fc.assert(
        fc.asyncProperty(anyWorkflow, async ({ className, tasks, width }) => {
          const workflowClass = defineWorkflow(className, tasks);
          const flowchart = await mermaid.flowchart(Workflow.toMermaid(workflowClass));
          expect(flowchart.nodes.map(({ label }) => label)).to.have.members(
            tasks.map(({ name }) => shown(name)),
          );
          expect(labelledEdges(flowchart)).to.have.members(
            tasks.flatMap(({ name, dependsOn = [] }) =>
              dependsOn.map((dependency) => `${shown(dependency)}→${shown(name)}`),
            ),
          );

          const result = await resultOf(workflowClass);
          const gantt = await mermaid.gantt(toMermaidGantt(result));
          expect(gantt.sections).to.deep.equal([shown(result.workflow)]);
          expect(
            gantt.tasks.map(({ label }, index) =>
              result.trace[index].status === 'skipped'
                ? barLabel(label).replace(/ \(skipped: .*\)$/s, '')
                : barLabel(label),
            ),
          ).to.deep.equal(result.trace.map(({ task }) => shown(task)));
          expect(gantt.tasks.map(({ crit, milestone }) => [crit, milestone])).to.deep.equal(
            result.trace.map(({ status }) => [status === 'failed', status === 'skipped']),
          );

          const lines = formatTimeline(result, { width }).split('\n');
          expect(lines).to.have.length(result.trace.length + 1);
          for (const line of lines) {
            expect(visibleCodePoints(line)).to.be.at.most(width);
            expect(hasLoneSurrogate(line)).to.equal(false);
            expect(hasControlCharacter(line)).to.equal(false);
          }
        }),
        { numRuns: 100 },
      );
    });
  });
});
