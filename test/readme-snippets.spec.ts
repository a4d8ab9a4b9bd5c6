import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  extractTypeScriptBlocks,
  formatProblem,
  typeCheckMarkdown,
  type SnippetProblem,
} from './support/markdown-snippets';

const README = path.resolve(__dirname, '..', 'README.md');
/** The guides: every Markdown file directly in docs/ (docs/api/ is TypeDoc's output). */
const DOCS = path.resolve(__dirname, '..', 'docs');
const guides = () =>
  readdirSync(DOCS)
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`);

/** Fixtures that prove the checker catches what it must, checked in the same program as README. */
const fixtures = {
  'broken.md': [
    '# Broken',
    '',
    '```ts',
    "import { Task, Workflow } from 'async-dag';",
    'class Flow {',
    '  @Task() one() { return 1; }',
    '}',
    'const result = await Workflow.invoke(new Flow());',
    "const text: string = result.get('one');",
    '```',
  ].join('\n'),
  'ignored.md': ['```ts ignore', 'this is not TypeScript', '```'].join('\n'),
  'separate-modules.md': [
    '```ts',
    "import { Task } from 'async-dag';",
    'export class Flow { @Task() one() { return 1; } }',
    '```',
    '',
    '```typescript',
    "import { Task } from 'async-dag';",
    'export class Flow { @Task() two() { return 2; } }',
    'await sleep(1);',
    '```',
    '',
    '```ts',
    'const shared = helperFromAnotherBlock();',
    '```',
  ].join('\n'),
  'continued.md': [
    '```ts',
    "import { Task } from 'async-dag';",
    'class Flow { @Task() one() { return 1; } }',
    '```',
    '```ts continued',
    "import { Workflow } from 'async-dag';",
    'const result = await Workflow.invoke(new Flow());',
    "result.get('two');",
    '```',
  ].join('\n'),
};

describe('README and guide snippets', () => {
  let problems: SnippetProblem[];

  before(function () {
    this.timeout(60_000);
    expect(existsSync(README), `${README} is missing`).to.equal(true);
    problems = typeCheckMarkdown([
      { name: 'README.md', markdown: readFileSync(README, 'utf8') },
      ...guides().map((name) => ({
        name,
        markdown: readFileSync(path.resolve(DOCS, '..', name), 'utf8'),
      })),
      ...Object.entries(fixtures).map(([name, markdown]) => ({ name, markdown })),
    ]);
  });

  const problemsIn = (document: string) =>
    problems.filter((problem) => problem.document === document);

  it('type-checks every ```ts block of README.md and docs/*.md against the library', () => {
    expect(guides()).to.include('docs/opentelemetry.md');
    const documentProblems = problems.filter((problem) => !(problem.document in fixtures));
    expect(documentProblems.map(formatProblem)).to.deep.equal([]);
  });

  it('reports a block that does not compile, at its line in the Markdown', () => {
    expect(problemsIn('broken.md').map(({ line, code }) => ({ line, code }))).to.deep.equal([
      { line: 9, code: 2322 },
    ]);
    expect(problemsIn('broken.md')[0].message).to.match(/number.*string/);
  });

  it('skips a block tagged ```ts ignore', () => {
    expect(problemsIn('ignored.md')).to.deep.equal([]);
  });

  it('compiles each block as its own module, with the prelude', () => {
    expect(problemsIn('separate-modules.md').map(formatProblem)).to.deep.equal([
      "separate-modules.md:13: TS2304 Cannot find name 'helperFromAnotherBlock'.",
    ]);
  });

  it('compiles a ```ts continued block in the module of the block before it', () => {
    expect(problemsIn('continued.md').map(({ line, code }) => ({ line, code }))).to.deep.equal([
      { line: 8, code: 2345 },
    ]);
  });

  describe('extractTypeScriptBlocks', () => {
    it('finds ts and typescript blocks with their first code line and tags, in any fence', () => {
      const markdown = [
        'Intro',
        '```ts',
        'const a = 1;',
        '```',
        '```js',
        'const b = 2;',
        '```',
        '1. In a list:',
        '   ~~~typescript ignore',
        '   const c = 3;',
        '   ```',
        '   still inside the tilde fence',
        '   ~~~',
        '````ts',
        '```',
        '````',
      ].join('\n');

      expect(extractTypeScriptBlocks(markdown)).to.deep.equal([
        { code: 'const a = 1;', line: 3, tags: [] },
        {
          code: 'const c = 3;\n```\nstill inside the tilde fence',
          line: 10,
          tags: ['ignore'],
        },
        { code: '```', line: 15, tags: [] },
      ]);
    });
  });
});
