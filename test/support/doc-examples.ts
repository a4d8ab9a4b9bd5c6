/**
 * Type-checks the examples of the doc comments in src/ (what an editor shows on hover and TypeDoc
 * publishes) against the library, with the machinery that checks the Markdown documents
 * (test/support/markdown-snippets.ts).
 *
 * Rules for the examples:
 * - Every ```ts / ```typescript block of a `/** … *\/` comment of src/*.ts is checked, each as its
 *   own ES module; ```ts ignore skips one.
 * - A block may leave out its imports: every name it uses but does not declare that the library
 *   exports is imported for it, from `async-dag` or `async-dag/opentelemetry`; the examples of an
 *   internal file see that file's exports too. A block that imports anything itself gets nothing
 *   added: one that shows its imports must show them all.
 * - The names an example takes as given (a `Checkout` workflow, its `repo` and `request`, a
 *   builder `tm`, …) are declared once, in {@link DOC_EXAMPLE_PRELUDE}.
 * - A block compiles with standard decorators (the default of a new TypeScript project); a block
 *   that decorates a parameter (`@Param()`, `@Signal()`, `@Context()`) compiles with
 *   `experimentalDecorators`, the only mode where parameter decorators exist.
 *
 * All blocks of one decorator mode go into one TypeScript program.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import {
  PROJECT_ROOT,
  createSnippetProgram,
  extractCodeBlocks,
  type SnippetProblem,
} from './markdown-snippets';

/** One ```ts block of a doc comment. */
export interface DocExample {
  /** The source file, relative to the repository (`src/workflow.ts`). */
  readonly file: string;
  /** 1-based line in the source file of the block's first code line. */
  readonly line: number;
  /** The block's code, without the comment's leading `*`. */
  readonly code: string;
  /** Whether the block decorates a parameter, so it compiles only with legacy decorators. */
  readonly legacy: boolean;
}

/** A source file to read the examples of: `file` is only used in problem reports. */
export interface DocSource {
  readonly file: string;
  readonly text: string;
}

/**
 * The names the examples take as given, declared once for all of them. Declare what the examples
 * assume, with real types: an `any` here would hide the errors this check exists to find.
 */
export const DOC_EXAMPLE_PRELUDE = `
type CheckoutRequest = { userId: string };
type User = { id: string; name: string };
type Cart = { items: string[]; total: number };
type Order = { id: string; items: string[] };
type Repository = { user(id: string): Promise<User>; cart(user: User): Promise<Cart> };

/** The workflow most examples run: user, then cart, then an optional discount. */
declare class Checkout {
  constructor(repo: Repository);
  user(request: CheckoutRequest): Promise<User>;
  cart(user: User): Promise<Cart>;
  discount(cart: Cart): number;
}
declare class Signup {
  account(request: CheckoutRequest): Promise<User>;
}
/** Two tasks, \`b\` after \`a\`. */
declare class Example {
  a(input: number): number;
  b(a: number): number;
}
/** The seed's DAG (samples/seed-example.ts): each task adds 1 after a delay, or adds two values. */
declare class SeedExample {
  fastTaskA(n: number): Promise<number>;
  slowTaskB(a: number): Promise<number>;
  slowTaskA(n: number): Promise<number>;
  fastTaskB(n: number): Promise<number>;
  fastTaskC(a: number, b: number): Promise<number>;
  endTask(c: number, b: number): Promise<number>;
}
declare const repo: Repository;
declare const request: CheckoutRequest;
declare const req: CheckoutRequest;
declare const flow: Checkout;
declare const input: CheckoutRequest;
declare const users: { find(id: string): Promise<User> };
declare const carts: { of(user: User): Promise<Cart> };
declare const result: import('async-dag').ExecutionResult<Checkout, CheckoutRequest>;

/** A builder and its nodes. */
declare const tm: import('async-dag').DagBuilder<Order>;
declare const order: Order;
declare const subtotal: import('async-dag').DagNode<number>;
declare const shipping: import('async-dag').DagNode<number>;
declare const net: import('async-dag').DagNode<number>;
declare const total: import('async-dag').DagNode<number>;
declare const results: import('async-dag').ExecutionResult<import('async-dag').DagTasks, Order>[];
declare function addTask(subtotal: number, shipping: number): number;
declare function incTask(n: number, name: string, delayMs: number): Promise<number>;
declare function fetchUser(order: Order): Promise<User>;
declare function fetchPrice(order: Order): Promise<number>;

type Row = { id: string; amount: number };
type Query = { table: string };
type Lock = { id: string; unlock(): void };
declare const db: { rows(query: Query): Promise<Row[]> };
declare function load(file: string, signal?: AbortSignal): Promise<Row[]>;
declare function rate(cart: Cart): Promise<number>;
declare function book(service: string): Promise<string>;
declare const url: string;

/** What a \`catch\` caught; a run's error; a dependency of an \`allSettled\` task. */
declare const error: unknown;
declare const runError: import('async-dag').WorkflowExecutionError<Checkout, CheckoutRequest>;
declare const settled: import('async-dag').Settled<Cart>;

/** Whatever an application logs and measures with. */
declare const log: Record<'info' | 'warn' | 'error', (message: string, ...details: unknown[]) => void>;
declare const metrics: { timing(name: string, ms: number): void };
declare const bar: { update(task: string, data: unknown): void };
declare const slots: { acquire(signal: AbortSignal): Promise<void>; release(): void };
`;

const EXAMPLE_DIRECTORY = path.join(PROJECT_ROOT, '.doc-examples');
const PRELUDE_FILE = path.join(EXAMPLE_DIRECTORY, 'prelude.d.ts');
const TYPESCRIPT_LANGUAGES = new Set(['ts', 'typescript']);

/** The text of a `/** … *\/` comment without its delimiters and leading `*`, line for line. */
function commentBody(comment: string): string {
  return comment
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n');
}

/** Whether `code` decorates a parameter (legacy decorators only). */
function decoratesParameter(code: string): boolean {
  const file = ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022, true);
  let found = false;
  const visit = (node: ts.Node) => {
    if (ts.isDecorator(node) && ts.isParameter(node.parent)) found = true;
    if (!found) ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The ```ts blocks of the doc comments of `source`, in source order, `ignore`d ones left out. */
export function extractDocExamples({ file, text }: DocSource): DocExample[] {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const comments = new Map<number, ts.JSDoc>();
  const visit = (node: ts.Node) => {
    for (const doc of ts.getJSDocCommentsAndTags(node)) {
      if (ts.isJSDoc(doc)) comments.set(doc.pos, doc);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return [...comments.values()]
    .sort((a, b) => a.pos - b.pos)
    .flatMap((doc) => {
      const firstLine = sourceFile.getLineAndCharacterOfPosition(doc.getStart(sourceFile)).line;
      return extractCodeBlocks(commentBody(doc.getText(sourceFile)))
        .filter((block) => TYPESCRIPT_LANGUAGES.has(block.language))
        .filter((block) => !block.tags.includes('ignore'))
        .map((block) => ({
          file,
          line: firstLine + block.line,
          code: block.code,
          legacy: decoratesParameter(block.code),
        }));
    });
}

/** The names `source` exports, as `export … name` or `export { name }`. */
function exportedNames(source: string): string[] {
  const file = ts.createSourceFile('exports.ts', source, ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  for (const statement of file.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause !== undefined) {
      if (ts.isNamedExports(statement.exportClause)) {
        names.push(...statement.exportClause.elements.map((element) => element.name.text));
      }
      continue;
    }
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    if (!modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
      }
    } else if ('name' in statement && statement.name !== undefined) {
      names.push((statement.name as ts.Identifier).text);
    }
  }
  return [...new Set(names)];
}

/**
 * The names `code` declares at its top level, every identifier it mentions, and whether it
 * imports anything itself.
 */
function namesOf(code: string): {
  declared: Set<string>;
  mentioned: Set<string>;
  imports: boolean;
} {
  const file = ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022, true);
  const declared = new Set<string>();
  const mentioned = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node)) mentioned.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  const declare = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) declared.add(name.text);
    else
      for (const element of name.elements)
        if (!ts.isOmittedExpression(element)) declare(element.name);
  };
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) declare(declaration.name);
    } else if ('name' in statement && statement.name !== undefined) {
      declare(statement.name as ts.Identifier);
    }
  }
  return { declared, mentioned, imports: file.statements.some(ts.isImportDeclaration) };
}

/** Where the examples of a source file import from, and what. */
interface ImportSource {
  readonly specifier: string;
  readonly names: readonly string[];
}

/** The modules whose exports the examples of `file` may use without importing them. */
function importSourcesFor(file: string): ImportSource[] {
  const read = (name: string) => readFileSync(path.join(PROJECT_ROOT, name), 'utf8');
  const publicSources: ImportSource[] = [
    { specifier: 'async-dag', names: exportedNames(read('src/index.ts')) },
    { specifier: 'async-dag/opentelemetry', names: exportedNames(read('src/opentelemetry.ts')) },
  ];
  // The public entries, and a file outside src/ (a test's fixture), see the public names only.
  const isPublic = file === 'src/index.ts' || file === 'src/opentelemetry.ts';
  if (isPublic || !/^src\/[^/]+\.ts$/.test(file)) return publicSources;
  const own = {
    specifier: path.join(PROJECT_ROOT, file).replace(/\.ts$/, ''),
    names: exportedNames(read(file)),
  };
  return [own, ...publicSources];
}

/** The module an example compiles as: its missing imports, then its code. */
function exampleModule(example: DocExample, sources: readonly ImportSource[]): string {
  const { declared, mentioned, imports } = namesOf(example.code);
  const imported = new Set<string>();
  const lines: string[] = [];
  // A block that shows its imports must show them all: a reader pastes it as it is.
  for (const { specifier, names } of imports ? [] : sources) {
    const wanted = names.filter(
      (name) => mentioned.has(name) && !declared.has(name) && !imported.has(name),
    );
    for (const name of wanted) imported.add(name);
    if (wanted.length > 0) lines.push(`import { ${wanted.join(', ')} } from '${specifier}';`);
  }
  // One line for the imports, even when there are none, so the code starts on line 2.
  return `${lines.join(' ')}\n${example.code}`;
}

/**
 * Type-checks `examples` against the library: one program per decorator mode. Problems are
 * located at their line in the source file; a problem in the added imports at the block's first
 * line.
 */
export function typeCheckDocExamples(examples: readonly DocExample[]): SnippetProblem[] {
  const problems: SnippetProblem[] = [];
  const sourcesByFile = new Map<string, ImportSource[]>();
  for (const legacy of [false, true]) {
    const modules = new Map<string, DocExample>();
    for (const example of examples.filter((candidate) => candidate.legacy === legacy)) {
      const name = `${example.file.replace(/[^\w.-]/g, '_')}.line-${example.line}.ts`;
      modules.set(path.join(EXAMPLE_DIRECTORY, name), example);
    }
    if (modules.size === 0) continue;
    const files = new Map([[PRELUDE_FILE, DOC_EXAMPLE_PRELUDE]]);
    for (const [fileName, example] of modules) {
      if (!sourcesByFile.has(example.file)) {
        sourcesByFile.set(example.file, importSourcesFor(example.file));
      }
      files.set(fileName, exampleModule(example, sourcesByFile.get(example.file)!));
    }
    const program = createSnippetProgram(files, {
      experimentalDecorators: legacy,
      emitDecoratorMetadata: legacy,
    });
    const report = (diagnostic: ts.Diagnostic, file: string, line: number) =>
      problems.push({
        document: file,
        line,
        code: diagnostic.code,
        message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
      });
    for (const diagnostic of [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...program.getSemanticDiagnostics(program.getSourceFile(PRELUDE_FILE)),
    ]) {
      report(diagnostic, '(compiler options or prelude)', 0);
    }
    for (const [fileName, example] of modules) {
      const sourceFile = program.getSourceFile(fileName)!;
      for (const diagnostic of [
        ...program.getSyntacticDiagnostics(sourceFile),
        ...program.getSemanticDiagnostics(sourceFile),
      ]) {
        const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        report(diagnostic, example.file, example.line + Math.max(line - 1, 0));
      }
    }
  }
  return problems;
}

/** The examples of every doc comment of src/*.ts. */
export function sourceDocExamples(): DocExample[] {
  const directory = path.join(PROJECT_ROOT, 'src');
  return readdirSync(directory)
    .filter((name) => name.endsWith('.ts'))
    .sort()
    .flatMap((name) =>
      extractDocExamples({
        file: `src/${name}`,
        text: readFileSync(path.join(directory, name), 'utf8'),
      }),
    );
}
