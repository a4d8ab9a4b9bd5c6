/**
 * Mermaid's own parser, for checking the pictures async-dag draws. `loadMermaid()` imports mermaid
 * once; its DOMPurify needs a `window` while the module loads, so a jsdom window is made global for
 * that moment only. The returned reader parses text exactly as `mermaid.render` would (directives,
 * entity codes and all) and reads back what the diagram declares, with entity codes decoded.
 */
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

/** A flowchart as Mermaid understood it. */
export interface ParsedFlowchart {
  /** Nodes in the order Mermaid created them: id and the label text shown. */
  readonly nodes: readonly { readonly id: string; readonly label: string }[];
  /** Edges as `[fromId, toId]`. */
  readonly edges: readonly (readonly [string, string])[];
}

/** A Gantt chart as Mermaid understood it. */
export interface ParsedGantt {
  readonly title: string;
  readonly sections: readonly string[];
  /** Bars in order: the label shown, the section, and the tags given. */
  readonly tasks: readonly {
    readonly label: string;
    readonly section: string;
    readonly crit: boolean;
    readonly milestone: boolean;
  }[];
}

export interface MermaidReader {
  /** Throws Mermaid's parse error when `text` is not a valid flowchart. */
  flowchart(text: string): Promise<ParsedFlowchart>;
  /** Throws Mermaid's parse error when `text` is not a valid Gantt chart. */
  gantt(text: string): Promise<ParsedGantt>;
  /** The version of mermaid in use. */
  readonly version: string;
}

/** The parts of the mermaid module the reader uses. */
interface MermaidModule {
  readonly default: {
    parse(text: string): Promise<{ diagramType: string }>;
    readonly mermaidAPI: {
      getDiagramFromText(text: string): Promise<{ readonly type: string; readonly db: any }>;
    };
  };
}

let loading: Promise<MermaidReader> | undefined;

/** Imports mermaid (once per process) and returns a reader for flowcharts and Gantt charts. */
export function loadMermaid(): Promise<MermaidReader> {
  return (loading ??= importMermaid().then(readerOf));
}

async function importMermaid(): Promise<MermaidModule> {
  const globals = globalThis as { window?: unknown; document?: unknown };
  const saved = { window: globals.window, document: globals.document };
  const { window } = new JSDOM('<!doctype html><html><body></body></html>');
  globals.window = window;
  globals.document = window.document;
  try {
    // A variable specifier keeps TypeScript from pulling mermaid's DOM-typed declarations in.
    const specifier: string = 'mermaid';
    const module = (await import(specifier)) as MermaidModule;
    // The first parse registers Mermaid's diagram types, which getDiagramFromText needs.
    await module.default.parse('graph TD;');
    return module;
  } finally {
    globals.window = saved.window;
    globals.document = saved.document;
  }
}

function readerOf({ default: mermaid }: MermaidModule): MermaidReader {
  /** Parses `text` as `mermaid.parse` and `mermaid.render` do and returns the diagram's database. */
  async function diagramDb(text: string, expectedType: string): Promise<any> {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    if (diagram.type !== expectedType) {
      throw new Error(`expected a ${expectedType} diagram, Mermaid detected ${diagram.type}`);
    }
    return diagram.db;
  }
  return {
    version: mermaidVersion(),
    async flowchart(text) {
      const db = await diagramDb(text, 'flowchart-v2');
      const vertices: Map<string, { id: string; text: string }> = db.getVertices();
      const edges: { start: string; end: string }[] = db.getEdges();
      return {
        nodes: [...vertices.values()].map(({ id, text }) => ({ id, label: decodeEntities(text) })),
        edges: edges.map(({ start, end }) => [start, end] as const),
      };
    },
    async gantt(text) {
      const db = await diagramDb(text, 'gantt');
      const tasks: { task: string; section: string; crit?: boolean; milestone?: boolean }[] =
        db.getTasks();
      return {
        title: decodeEntities(db.getDiagramTitle()),
        sections: (db.getSections() as string[]).map(decodeEntities),
        tasks: tasks.map(({ task, section, crit, milestone }) => ({
          label: decodeEntities(task),
          section: decodeEntities(section),
          crit: crit === true,
          milestone: milestone === true,
        })),
      };
    },
  };
}

function mermaidVersion(): string {
  // mermaid's package.json is reachable through its "./*" export.
  const manifest = readFileSync(require.resolve('mermaid/package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** Mermaid's entity codes as they come out of its parser (`#35;` is stored as `ﬂ°°35¶ß`). */
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  quot: '"',
  amp: '&',
  lt: '<',
  gt: '>',
  apos: "'",
  nbsp: '\u00a0',
};

/** The text a browser shows for a label Mermaid parsed: entity codes replaced by characters. */
export function decodeEntities(text: string): string {
  return text.replace(/\ufb02\u00b0(\u00b0)?(\w+)\u00b6\u00df/g, (_, numeric, code: string) => {
    if (numeric !== undefined) return String.fromCodePoint(Number(code));
    const character = NAMED_ENTITIES[code];
    if (character === undefined) throw new Error(`unknown entity code #${code};`);
    return character;
  });
}
