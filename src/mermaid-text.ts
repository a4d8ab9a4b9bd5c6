/**
 * Names as Mermaid source. A task or workflow name may hold anything a method or class name can,
 * while Mermaid gives meaning to many characters and words; these helpers write any name so that
 * Mermaid parses the picture and shows the name. Characters are escaped with Mermaid's entity
 * codes (`#35;` is shown as `#`), which Mermaid decodes only when it draws the picture.
 */
import { printableText } from './display-text.js';

/**
 * Characters with a meaning somewhere in Mermaid source: `"` ends a quoted label, `#` starts an
 * entity code, `%` starts a comment or a `%%{init}%%` directive (anywhere in the text), `:` and `;`
 * separate Gantt fields and statements, `<`, `>` and `&` are HTML in labels, a backtick starts a
 * Markdown label and `$$` a KaTeX formula.
 */
const SYNTAX_CHARACTERS = /["#%&:;<>`$]/g;

/** `#35;` for `#`: Mermaid's entity code for one character, by its decimal code point. */
function entityCode(character: string): string {
  return `#${character.codePointAt(0)};`;
}

/**
 * `text` written for a Mermaid label, title or section: Mermaid shows exactly what
 * `printableText(text)` shows. The characters in `"#%&:;<>` `` ` `` `$` and whitespace at either end
 * become entity codes; an empty text becomes one encoded space, as Mermaid has no empty labels.
 *
 * @example
 * ```ts
 * mermaidText('fetch users'); // 'fetch users'
 * mermaidText('say "hi"; now'); // 'say #34;hi#34;#59; now'
 * mermaidText(' padded'); // '#32;padded'
 * ```
 */
export function mermaidText(text: string): string {
  const printable = printableText(text);
  if (printable === '') return entityCode(' ');
  // Whitespace at either end, which Mermaid trims from labels (and skips before a Gantt task):
  // found with trimStart and trimEnd, which trim exactly what `\s` matches. A regular expression
  // for the trailing run (`\s+$`) retries from every character of a run of spaces inside the
  // text, and took seconds for a name with 100,000 of them.
  const bodyStart = printable.length - printable.trimStart().length;
  const bodyEnd = Math.max(bodyStart, printable.trimEnd().length);
  return (
    encodeEach(printable.slice(0, bodyStart)) +
    printable.slice(bodyStart, bodyEnd).replace(SYNTAX_CHARACTERS, entityCode) +
    encodeEach(printable.slice(bodyEnd))
  );
}

/** Every character of `text` as its entity code. */
function encodeEach(text: string): string {
  return Array.from(text, entityCode).join('');
}

/**
 * Flowchart words Mermaid does not read as a node id, and `o` and `x`, which it reads as the end
 * of an edge (`o-->a` is an edge with a circle end). Checked against Mermaid 11's lexer.
 */
const FLOWCHART_KEYWORDS: ReadonlySet<string> = new Set([
  'end',
  'graph',
  'flowchart',
  'subgraph',
  'style',
  'linkStyle',
  'classDef',
  'class',
  'interpolate',
  '_self',
  '_blank',
  '_parent',
  '_top',
  'o',
  'x',
]);

/** A name Mermaid reads as a node id and shows as it is. */
function isPlainNodeId(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !FLOWCHART_KEYWORDS.has(name);
}

/**
 * The flowchart node id of each name. A name that is a plain identifier and no flowchart keyword
 * is its own id, so ordinary workflows read as they always did; any other name gets `t` and its
 * position (`t3`), with `_` appended while that is another task's plain name.
 *
 * @example
 * ```ts
 * flowchartIds(['fetch', 'my task', 'end', 't1']);
 * // Map { 'fetch' => 'fetch', 'my task' => 't1_', 'end' => 't2', 't1' => 't1' }
 * ```
 */
export function flowchartIds(names: readonly string[]): Map<string, string> {
  const plainNames = new Set(names.filter(isPlainNodeId));
  const ids = new Map<string, string>();
  names.forEach((name, position) => {
    let id = name;
    if (!plainNames.has(name)) {
      id = `t${position}`;
      while (plainNames.has(id)) id += '_';
    }
    ids.set(name, id);
  });
  return ids;
}

/**
 * `name` as the text of a quoted flowchart label (`t3["…"]`): {@link mermaidText}, and the
 * whitespace after `direction` encoded too, since Mermaid reads any line that contains
 * `direction TB` (or `LR`, …) as a direction statement, quotes or not.
 *
 * @example
 * ```ts
 * flowchartLabel('my task; end'); // 'my task#59; end'
 * flowchartLabel('direction TB'); // 'direction#32;TB'
 * ```
 */
export function flowchartLabel(name: string): string {
  return mermaidText(name).replace(/direction(\s)/g, (_, space: string) => {
    return `direction${entityCode(space)}`;
  });
}

/** Words Mermaid's Gantt parser reads as a statement when a line starts with them, in any case. */
const GANTT_KEYWORDS = [
  'gantt',
  'dateFormat',
  'axisFormat',
  'tickInterval',
  'includes',
  'excludes',
  'todayMarker',
  'weekday',
  'weekend',
  'inclusiveEndDates',
  'topAxis',
  'title',
  'section',
  'accTitle',
  'accDescr',
  'accDescription',
  'click',
  'call',
  'href',
];

/** A Gantt keyword as a whole word, or a date (a token of its own), at the start of a line. */
const GANTT_STATEMENT_START = new RegExp(
  `^(?:${GANTT_KEYWORDS.join('|')})(?!\\w)|^\\d{4}-\\d\\d-\\d\\d`,
  'i',
);

/**
 * `name` as a Gantt bar label, which starts its line: {@link mermaidText}, with the first
 * character encoded when the label would start with a Gantt keyword or a date.
 *
 * @example
 * ```ts
 * ganttTaskLabel('key: value'); // 'key#58; value'
 * ganttTaskLabel('section 2'); // '#115;ection 2'
 * ```
 */
export function ganttTaskLabel(name: string): string {
  const text = mermaidText(name);
  return GANTT_STATEMENT_START.test(text) ? entityCode(text[0]) + text.slice(1) : text;
}
