/**
 * What an editor shows on hover: the doc comments of the calls a newcomer writes first carry an
 * example, as every public export's does (`npm run docs:check` checks that each export has a
 * comment, not that its members show how they are called).
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SOURCE = path.resolve(__dirname, '..', 'src');

/** The members a first program calls, by source file and class. */
const FIRST_CALLS: readonly (readonly [file: string, className: string, member: string])[] = [
  ['workflow.ts', 'Workflow', 'invoke'],
  ['workflow.ts', 'Workflow', 'stream'],
  ['result.ts', 'ExecutionResult', 'get'],
  ['builder.ts', 'DagBuilder', 'addNode'],
  ['builder.ts', 'DagBuilder', 'invoke'],
  ['builder.ts', 'DagNode', 'extractResult'],
];

/** The doc comments of every declaration of `member` in `className` (overloads included). */
function docCommentsOf(source: string, className: string, member: string): string[] {
  const file = ts.createSourceFile('source.ts', source, ts.ScriptTarget.ES2022, true);
  const comments: string[] = [];
  for (const statement of file.statements) {
    if (!ts.isClassDeclaration(statement) || statement.name?.text !== className) continue;
    for (const declaration of statement.members) {
      if (declaration.name === undefined || declaration.name.getText(file) !== member) continue;
      for (const doc of ts.getJSDocCommentsAndTags(declaration)) comments.push(doc.getText(file));
    }
  }
  return comments;
}

/** The exports whose examples may use parameter decorators: the parameter decorators. */
const PARAMETER_DECORATORS = new Set(['Param', 'Signal', 'Context']);

/**
 * The names of the declarations in `source` whose doc comment's example marks a parameter with
 * `@Param()`, `@Signal()` or `@Context()`, which compiles only with legacy decorators.
 */
function legacyOnlyExamples(source: string): string[] {
  const file = ts.createSourceFile('source.ts', source, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const docs = ts.getJSDocCommentsAndTags(node).map((doc) => doc.getText(file));
    const name = (node as { name?: ts.Node }).name?.getText(file) ?? '(unnamed)';
    const example = docs.join('\n').split('@example').slice(1).join('\n');
    if (/@(Param|Signal|Context)\(\)\s+\w+\s*:/.test(example) && !PARAMETER_DECORATORS.has(name)) {
      found.push(name);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...new Set(found)];
}

describe('doc comments', () => {
  for (const [file, className, member] of FIRST_CALLS) {
    it(`show an example on hover for ${className}.${member}`, () => {
      const comments = docCommentsOf(
        readFileSync(path.join(SOURCE, file), 'utf8'),
        className,
        member,
      );
      expect(comments.length, `${className}.${member} has no doc comment`).to.be.above(0);
      const withExample = comments.filter((comment) => /@example[\s*]*```ts\n/.test(comment));
      expect(withExample.length, `${className}.${member} shows no example`).to.be.above(0);
    });
  }

  it('show examples that compile in both decorator modes, but for the parameter decorators', () => {
    // Standard decorators are the default: a hover on @Task() or Workflow must show code that
    // compiles there, so inputs are listed with the tokens (PARAM, SIGNAL, CONTEXT).
    const found = readdirSync(SOURCE)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) =>
        legacyOnlyExamples(readFileSync(path.join(SOURCE, name), 'utf8')).map(
          (declaration) => `${name}: ${declaration}`,
        ),
      );
    expect(found).to.deep.equal([]);
  });

  it('finds an example that marks a parameter (the check can fail)', () => {
    const source = [
      '/**',
      ' * @example',
      ' * ```ts',
      ' * class A { @Task() a(@Param() n: number) { return n; } }',
      ' * ```',
      ' */',
      'export function Task() {}',
      '/**',
      ' * @example',
      ' * ```ts',
      ' * class A { @Task() a(@Param() n: number) { return n; } }',
      ' * ```',
      ' */',
      'export function Param() {}',
      '/**',
      ' * @example',
      ' * ```ts',
      ' * class A { @Task() @DependsOn(PARAM) a(n: number) { return n; } }',
      ' * ```',
      ' */',
      'export function DependsOn() {}',
    ].join('\n');
    expect(legacyOnlyExamples(source)).to.deep.equal(['Task']);
  });

  it('reads the comments of a member, and finds no example where there is none (the check can fail)', () => {
    const source = [
      'class Flow {',
      '  /** Runs. */',
      '  run() {}',
      '  /**',
      '   * Stops.',
      '   * @example',
      '   * ```ts',
      '   * flow.stop();',
      '   * ```',
      '   */',
      '  stop() {}',
      '}',
    ].join('\n');
    expect(docCommentsOf(source, 'Flow', 'run')).to.deep.equal(['/** Runs. */']);
    expect(docCommentsOf(source, 'Flow', 'stop')[0]).to.match(/@example[\s*]*```ts\n/);
    expect(docCommentsOf(source, 'Other', 'run')).to.deep.equal([]);
  });
});
