/**
 * Type-checks the TypeScript code blocks of Markdown documents against the real library, so a
 * README example that no longer compiles fails the test suite.
 *
 * Rules for the blocks:
 * - Every fenced block whose language is `ts` or `typescript` is checked; ```` ```ts ignore ````
 *   skips one (use sparingly, e.g. for a deliberately incomplete fragment).
 * - Each block is compiled as its own ES module (top-level `await` allowed), so blocks never see
 *   each other's names — except that a ```` ```ts continued ```` block continues the previous
 *   block of its document: it is compiled in the same module, after it (and after whatever that
 *   block continued), so a definition can be shown once and used by the blocks after it. `from 'async-dag'` resolves to `src/index.ts`, `from 'async-dag/opentelemetry'` to
 *   `src/opentelemetry.ts`; any installed package
 *   (`chai`, `sinon`, `@nestjs/common`, …) resolves from `node_modules`.
 * - {@link SNIPPET_PRELUDE} declares the few helpers examples may use without defining them.
 * - The project's compiler options apply (strict, decorators, …), except that unused locals and
 *   parameters are allowed: an example may declare something just to show it. The checks that
 *   `tsc --init` adds to `strict` (`noUncheckedIndexedAccess`, `exactOptionalPropertyTypes`) are
 *   on, as in the fresh project a reader pastes an example into.
 *
 * All blocks of all documents go into one TypeScript program, so checking is done in one pass.
 */
import path from 'node:path';
import ts from 'typescript';

/** One fenced code block of a Markdown document. */
export interface CodeBlock {
  /** The block's text, without the fences and without the fence's indentation. */
  readonly code: string;
  /** 1-based line in the Markdown document of the block's first code line. */
  readonly line: number;
  /** The info string after the language, split on spaces (`ignore`, …). */
  readonly tags: readonly string[];
}

/** A Markdown document to check: `name` is only used in problem reports. */
export interface MarkdownDocument {
  readonly name: string;
  readonly markdown: string;
}

/** A compiler diagnostic, located in the Markdown document it came from. */
export interface SnippetProblem {
  readonly document: string;
  /** 1-based line in the Markdown document. */
  readonly line: number;
  /** The TypeScript error code, e.g. 2304 for "Cannot find name". */
  readonly code: number;
  readonly message: string;
}

/** Ambient declarations every block can use. Keep it to helpers an example obviously implies. */
export const SNIPPET_PRELUDE = `
/** Resolves after \`ms\` milliseconds. */
declare function sleep(ms: number): Promise<void>;
`;

/** The repository's root directory. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const SNIPPET_DIRECTORY = path.join(PROJECT_ROOT, '.markdown-snippets');
const PRELUDE_FILE = path.join(SNIPPET_DIRECTORY, 'prelude.d.ts');
const TYPESCRIPT_LANGUAGES = new Set(['ts', 'typescript']);

/** A fenced code block of any language. */
export interface FencedBlock extends CodeBlock {
  /** The language of the fence's info string, lower-cased (`ts`, `json`, `sh`, …; `''` if none). */
  readonly language: string;
}

/** The ```ts / ```typescript blocks of `markdown`, in document order, `ignore`d ones included. */
export function extractTypeScriptBlocks(markdown: string): CodeBlock[] {
  return extractCodeBlocks(markdown)
    .filter((block) => TYPESCRIPT_LANGUAGES.has(block.language))
    .map(({ code, line, tags }) => ({ code, line, tags }));
}

/** Every fenced code block of `markdown`, in document order. */
export function extractCodeBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const opening = /^( *)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/.exec(lines[index]);
    if (opening === null) continue;
    const [, indent, fence, language, rest] = opening;
    const closing = new RegExp(`^ *${fence[0]}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !closing.test(lines[end])) {
      body.push(lines[end].startsWith(indent) ? lines[end].slice(indent.length) : lines[end]);
      end++;
    }
    blocks.push({
      language: language.toLowerCase(),
      code: body.join('\n'),
      line: index + 2,
      tags: rest.split(/\s+/).filter(Boolean),
    });
    index = end;
  }
  return blocks;
}

/**
 * One module to compile: a block, preceded by the blocks it continues. Its text is the blocks'
 * code joined by newlines; `segments` maps the module's lines back to the Markdown.
 */
interface SnippetModule {
  readonly document: string;
  readonly text: string;
  readonly segments: readonly { readonly block: CodeBlock; readonly firstLine: number }[];
}

/** Type-checks every block of every document in one program; returns the problems found. */
export function typeCheckMarkdown(documents: readonly MarkdownDocument[]): SnippetProblem[] {
  const modules = new Map<string, SnippetModule>();
  for (const document of documents) {
    let previous: SnippetModule | undefined;
    const blocks = extractTypeScriptBlocks(document.markdown).filter(
      (block) => !block.tags.includes('ignore'),
    );
    for (const block of blocks) {
      const module = block.tags.includes('continued')
        ? continueModule(document.name, previous, block)
        : { document: document.name, text: block.code, segments: [{ block, firstLine: 0 }] };
      const fileName = `${document.name.replace(/[^\w.-]/g, '_')}.line-${block.line}.ts`;
      modules.set(path.join(SNIPPET_DIRECTORY, fileName), module);
      previous = module;
    }
  }

  const program = createSnippetProgram(
    new Map([...modules].map(([fileName, module]) => [fileName, module.text])),
  );
  const problems = new Map<string, SnippetProblem>();
  const report = (diagnostic: ts.Diagnostic, document: string, line: number) => {
    const problem: SnippetProblem = {
      document,
      line,
      code: diagnostic.code,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    };
    // A continued block repeats the blocks before it: report each of their problems once.
    problems.set(formatProblem(problem), problem);
  };

  for (const diagnostic of [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
  ]) {
    report(diagnostic, '(compiler options)', 0);
  }
  for (const [fileName, { document, segments }] of modules) {
    const sourceFile = program.getSourceFile(fileName)!;
    for (const diagnostic of [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ]) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const segment = segments.filter((candidate) => candidate.firstLine <= line).pop()!;
      report(diagnostic, document, segment.block.line + line - segment.firstLine);
    }
  }
  return [...problems.values()];
}

/** The module of a ```` ```ts continued ```` block: the previous block's module plus this block. */
function continueModule(
  document: string,
  previous: SnippetModule | undefined,
  block: CodeBlock,
): SnippetModule {
  if (previous === undefined) {
    throw new Error(`${document}:${block.line}: a "continued" block needs a ts block before it`);
  }
  return {
    document,
    text: `${previous.text}\n${block.code}`,
    segments: [...previous.segments, { block, firstLine: previous.text.split('\n').length }],
  };
}

/** The files on disk a program parsed (the library, lib.d.ts, @types), for the next program. */
const parsedFiles = new Map<string, ts.SourceFile>();

/**
 * One program over the prelude, the given in-memory files, and whatever they import, compiled
 * with {@link snippetCompilerOptions} (plus `overrides`, e.g. the decorator mode).
 */
export function createSnippetProgram(
  files: ReadonlyMap<string, string>,
  overrides: ts.CompilerOptions = {},
): ts.Program {
  const options = { ...snippetCompilerOptions(), ...overrides };
  const host = ts.createCompilerHost(options, true);
  const virtualFiles = new Map([[PRELUDE_FILE, SNIPPET_PRELUDE], ...files]);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (fileName) => virtualFiles.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => virtualFiles.get(fileName) ?? readFile.call(host, fileName);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = virtualFiles.get(fileName);
    if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
    const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
    let file = parsedFiles.get(key);
    if (file === undefined) {
      file = getSourceFile.call(host, fileName, languageVersion, ...rest);
      if (file !== undefined) parsedFiles.set(key, file);
    }
    return file;
  };
  return ts.createProgram([...virtualFiles.keys()], options, host);
}

/** Formats a problem as `README.md:42: TS2304 Cannot find name 'x'.` */
export function formatProblem(problem: SnippetProblem): string {
  return `${problem.document}:${problem.line}: TS${problem.code} ${problem.message}`;
}

/** The project's tsconfig options, adapted to standalone ES-module examples. */
export function snippetCompilerOptions(): ts.CompilerOptions {
  const configFile = path.join(PROJECT_ROOT, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
  if (error !== undefined)
    throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, PROJECT_ROOT);
  return {
    ...options,
    noEmit: true,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    noUnusedLocals: false,
    noUnusedParameters: false,
    // What `tsc --init` turns on besides `strict` (TypeScript 5.9+): an example pasted into a
    // fresh project must compile there, where `result.trace[0]` may be `undefined`.
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    paths: {
      'async-dag': [path.join(PROJECT_ROOT, 'src', 'index.ts')],
      'async-dag/opentelemetry': [path.join(PROJECT_ROOT, 'src', 'opentelemetry.ts')],
    },
  };
}
