/**
 * What an editor shows on hover and the API reference (TypeDoc) publishes: the doc comments of the
 * calls a newcomer writes first carry an example, as every public export's does (`npm run
 * docs:check` checks that each export has a comment, not that its members show how they are
 * called); where a public type is an internal alias, which the reference prints by name only (the
 * stream's events, the hooks' events), its comment says what it holds; and the parameter
 * decorators say that they need `experimentalDecorators`.
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

/** The text of `file` in src/. */
const sourceOf = (file: string) => readFileSync(path.join(SOURCE, file), 'utf8');

/** The doc comment of the top-level declaration `name` of `source`, without its `*` margin. */
function declarationComment(source: string, name: string): string {
  const file = ts.createSourceFile('source.ts', source, ts.ScriptTarget.ES2022, true);
  const declaration = file.statements.find(
    (statement) => (statement as { name?: ts.Node }).name?.getText(file) === name,
  );
  return (declaration ? ts.getJSDocCommentsAndTags(declaration) : [])
    .map((doc) => doc.getText(file).replace(/^[ \t]*\/?\*+\/?[ \t]?/gm, ''))
    .join('\n');
}

/**
 * The events of the alias `EventOf` in `source` (types.ts): each event's `type` and the fields it
 * has besides `type`, `task` and `time` — what the reference page of `WorkflowEvent` does not show,
 * since it prints the alias by name.
 */
function streamEvents(source: string): { type: string; fields: string[] }[] {
  const file = ts.createSourceFile('source.ts', source, ts.ScriptTarget.ES2022, true);
  const events: { type: string; fields: string[] }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isTypeLiteralNode(node)) {
      const names = node.members.map((member) => member.name?.getText(file) ?? '');
      const type = node.members.find((member) => member.name?.getText(file) === 'type');
      if (type && ts.isPropertySignature(type) && type.type && ts.isLiteralTypeNode(type.type)) {
        const fields = names.filter((name) => !['type', 'task', 'time'].includes(name));
        events.push({ type: type.type.literal.getText(file).slice(1, -1), fields });
      }
    }
    ts.forEachChild(node, visit);
  };
  const alias = file.statements.find(
    (s) => ts.isTypeAliasDeclaration(s) && s.name.text === 'EventOf',
  );
  if (alias) visit(alias);
  return events;
}

/** The hooks of `WorkflowHooks` in `source` (types.ts), each with its doc comment. */
function hookComments(source: string): { hook: string; comment: string }[] {
  const file = ts.createSourceFile('source.ts', source, ts.ScriptTarget.ES2022, true);
  const hooks = file.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === 'WorkflowHooks',
  );
  return (hooks?.members ?? []).map((member) => ({
    hook: member.name?.getText(file) ?? '',
    comment: ts
      .getJSDocCommentsAndTags(member)
      .map((doc) => doc.getText(file))
      .join('\n'),
  }));
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

  it('list every event of a stream, with its fields, in WorkflowEvent, whose type is an internal alias', () => {
    const source = sourceOf('types.ts');
    const comment = declarationComment(source, 'WorkflowEvent');
    const events = streamEvents(source);
    expect(events.map(({ type }) => type)).to.include.members(['taskStart', 'taskProgress']);
    const missing = events.flatMap(({ type, fields }) => {
      // The event's own item of the list: from "- `taskSkip`:" to the next item or paragraph.
      const item = comment.split(/\n(?=- )|\n\n/).find((part) => part.startsWith(`- \`${type}\`:`));
      if (item === undefined) return [type];
      return fields
        .filter((field) => !item.includes(`\`${field}\``))
        .map((field) => `${type}.${field}`);
    });
    expect(missing).to.deep.equal([]);
  });

  it('link the event of each hook of WorkflowHooks, whose types are internal aliases', () => {
    const hooks = hookComments(sourceOf('types.ts'));
    expect(hooks.length).to.be.above(5);
    const unlinked = hooks
      .filter(({ hook, comment }) => !comment.includes(`{@link ${hook.replace(/^on/, '')}Event}`))
      .map(({ hook }) => hook);
    expect(unlinked).to.deep.equal([]);
  });

  it('say that the parameter decorators need experimentalDecorators, and which token to list instead', () => {
    const source = sourceOf('decorators.ts');
    const tokens = { Param: 'PARAM', Signal: 'SIGNAL', Context: 'CONTEXT' };
    const silent = Object.entries(tokens)
      .filter(([decorator, token]) => {
        const comment = declarationComment(source, decorator);
        return !comment.includes('experimentalDecorators') || !comment.includes(`{@link ${token}}`);
      })
      .map(([decorator]) => decorator);
    expect(silent).to.deep.equal([]);
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
