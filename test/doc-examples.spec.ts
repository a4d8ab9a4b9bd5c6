/**
 * The examples of the doc comments in src/ — what an editor shows on hover and TypeDoc publishes —
 * compile against the library, each as its own module, in the decorator mode it needs. The rules
 * (left-out imports, the names the examples take as given) are in test/support/doc-examples.ts.
 * What an example claims a call returns (`// 42`) is not checked here: keep such claims to what
 * running the example shows.
 */
import { expect } from 'chai';
import {
  extractDocExamples,
  sourceDocExamples,
  typeCheckDocExamples,
  type DocExample,
} from './support/doc-examples';
import { formatProblem, type SnippetProblem } from './support/markdown-snippets';

/** A source file whose comments show the checker what it must find. */
const FIXTURE = [
  '/**',
  ' * A wrong example: `get` of a number task typed as a string.',
  ' *',
  ' * @example',
  ' * ```ts',
  ' * class Flow { @Task() one() { return 1; } }',
  ' * const result = await Workflow.invoke(new Flow());',
  " * const text: string = result.get('one');",
  ' * ```',
  ' */',
  'export function wrong() {}',
  '/**',
  ' * Names it neither declares nor imports, but the prelude does; a ```ts ignore block.',
  ' *',
  ' * @example',
  ' * ```ts',
  ' * const run = Workflow.stream(new Checkout(repo), request);',
  ' * ```',
  ' * ```ts ignore',
  ' * not TypeScript',
  ' * ```',
  ' */',
  'export function given() {}',
  '/**',
  ' * A parameter decorator: legacy decorators; a name no one declares.',
  ' *',
  ' * @example',
  ' * ```ts',
  ' * class Greeting { @Task() hello(@Param() name: string) { return name; } }',
  ' * ```',
  ' * ```ts',
  ' * undeclared();',
  ' * ```',
  ' */',
  'export function legacy() {}',
  '/**',
  ' * A block that shows its imports, but not all of them.',
  ' *',
  ' * @example',
  ' * ```ts',
  " * import { Task } from 'async-dag';",
  ' * class Flow { @Task() @DependsOn(PARAM) one(n: number) { return n; } }',
  ' * ```',
  ' */',
  'export function imports() {}',
].join('\n');

describe('doc comment examples', () => {
  let examples: DocExample[];
  let fixtures: DocExample[];
  let problems: SnippetProblem[];

  before(function () {
    this.timeout(60_000);
    examples = sourceDocExamples();
    fixtures = extractDocExamples({ file: 'test/fixture.ts', text: FIXTURE });
    problems = typeCheckDocExamples([...examples, ...fixtures]);
  });

  const problemsIn = (file: string) => problems.filter((problem) => problem.document === file);

  it('type-checks every ```ts block of the doc comments of src/*.ts against the library', () => {
    // Every export's comment has an example (npm run docs:check): well over a hundred blocks.
    expect(examples.length).to.be.above(100);
    expect(
      problems.filter((problem) => problem.document.startsWith('src/')).map(formatProblem),
    ).to.deep.equal([]);
    expect(problemsIn('(compiler options or prelude)').map(formatProblem)).to.deep.equal([]);
  });

  it('compiles the examples that decorate a parameter with legacy decorators, the rest standard', () => {
    // Only the parameter decorators' own examples use them (test/doc-comments.spec.ts).
    const legacy = examples.filter((example) => example.legacy);
    expect(legacy.length).to.be.above(0);
    expect([...new Set(legacy.map((example) => example.file))]).to.deep.equal([
      'src/decorators.ts',
    ]);
    expect(examples.filter((example) => !example.legacy).length).to.be.above(100);
  });

  it('reports an example that does not compile, or does not import what it shows, at its line', () => {
    expect(fixtures.map(({ line, legacy }) => ({ line, legacy }))).to.deep.equal([
      { line: 6, legacy: false },
      { line: 17, legacy: false },
      { line: 29, legacy: true },
      { line: 32, legacy: false },
      { line: 41, legacy: false },
    ]);
    expect(problemsIn('test/fixture.ts').map(formatProblem)).to.deep.equal([
      "test/fixture.ts:8: TS2322 Type 'number' is not assignable to type 'string'.",
      "test/fixture.ts:32: TS2304 Cannot find name 'undeclared'.",
      "test/fixture.ts:42: TS2304 Cannot find name 'DependsOn'.",
      "test/fixture.ts:42: TS2304 Cannot find name 'PARAM'.",
    ]);
  });
});
