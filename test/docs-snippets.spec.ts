/**
 * The documentation's examples, run as a user would run them: every ```ts run block of the
 * documents below is pasted into a fresh project that has the packed package installed, and run
 * with tsx; its `// → …` comments are its expected output. A block that cannot run as pasted (it
 * calls a network service, or needs NestJS's emitted metadata) says so with ```ts norun; it is
 * still type-checked (test/readme-snippets.spec.ts type-checks every block of these documents). Every block tagged `file=…` must show
 * that file of test/consumers/ exactly as the consumer tests use it. The conventions are in
 * test/support/markdown-runner.ts. Running needs the packed package: skipped with
 * `ASYNC_DAG_SKIP_PACK=1`, like test/package.spec.ts.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPOSITORY_ROOT,
  consumerTools,
  limitConcurrency,
  packedPackage,
  skipPack,
} from './support/consumers';
import {
  fileBlocks,
  matchesExpected,
  runBlock,
  runnableBlocks,
  shownFile,
  type RunnableBlock,
} from './support/markdown-runner';
import { extractTypeScriptBlocks } from './support/markdown-snippets';

/** The documents whose examples run: README.md and every guide of docs/. */
const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(REPOSITORY_ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`),
];

const markdownOf = (document: string) => readFileSync(join(REPOSITORY_ROOT, document), 'utf8');

describe('documentation examples', () => {
  for (const document of DOCUMENTS) {
    describe(document, function () {
      this.timeout(120_000);
      const blocks = runnableBlocks(document, markdownOf(document));
      const outputs = new Map<RunnableBlock, Promise<string[]>>();

      before(async function () {
        if (skipPack) return;
        const [pkg, tools] = await Promise.all([packedPackage(), consumerTools()]);
        const limit = limitConcurrency(3);
        for (const block of blocks) {
          const output = limit(() => runBlock(block, pkg, tools));
          output.catch(() => {}); // awaited by its test
          outputs.set(block, output);
        }
      });

      it('runs every TypeScript example, or says why not (```ts norun)', () => {
        const undecided = extractTypeScriptBlocks(markdownOf(document)).filter(
          (block) => !block.tags.includes('run') && !block.tags.includes('norun'),
        );
        expect(
          undecided.map((block) => `${document}:${block.line}`),
          'blocks tagged neither run nor norun',
        ).to.deep.equal([]);
      });

      for (const block of blocks) {
        const mode = `${block.legacy ? 'legacy' : 'standard'}${block.esm ? ', ES module' : ''}`;
        it(`runs the example at line ${block.block.line} as pasted (${mode})`, async function () {
          if (skipPack) this.skip();
          const output = await outputs.get(block)!;
          if (block.expected !== undefined) {
            expect(
              matchesExpected(output, block.expected),
              `printed:\n${output.join('\n')}\nexpected:\n${block.expected.join('\n')}`,
            ).to.equal(true);
          }
        });
      }

      it('shows the consumer tests’ configuration files exactly', () => {
        for (const { block, file } of fileBlocks(markdownOf(document))) {
          const shown = shownFile(file, block);
          expect(shown.block, `${document}:${block.line} shows ${file}`).to.equal(shown.file);
        }
      });
    });
  }

  describe('the conventions', () => {
    const markdown = [
      '```ts run',
      "console.log('a'); // → a",
      '// → b…d',
      "console.log('bcd');",
      '```',
      '```ts run legacy esm',
      'await 0;',
      '```',
      '```ts',
      'not run',
      '```',
      '```json file=projects/tsx-legacy/tsconfig.json',
      '{ "compilerOptions": { "experimentalDecorators": true } }',
      '```',
    ].join('\n');

    it('runs ```ts run blocks, in the mode their tags say, expecting their // → lines', () => {
      expect(
        runnableBlocks('doc.md', markdown).map(({ block, legacy, esm, expected }) => ({
          line: block.line,
          legacy,
          esm,
          expected,
        })),
      ).to.deep.equal([
        { line: 2, legacy: false, esm: false, expected: ['a', 'b…d'] },
        { line: 7, legacy: true, esm: true, expected: undefined },
      ]);
    });

    it('matches output lines exactly, … standing for any text', () => {
      expect(matchesExpected(['a', 'bcd'], ['a', 'b…d'])).to.equal(true);
      expect(matchesExpected(['a', 'bd'], ['a', 'b…d'])).to.equal(true);
      expect(matchesExpected(['a', 'bce'], ['a', 'b…d'])).to.equal(false);
      expect(matchesExpected(['a'], ['a', 'b…d'])).to.equal(false);
      expect(matchesExpected(['a.c'], ['a.c'])).to.equal(true);
      expect(matchesExpected(['abc'], ['a.c'])).to.equal(false);
    });

    it('compares file= blocks with the file they name', () => {
      const [{ block, file }] = fileBlocks(markdown);
      expect(file).to.equal(
        join(REPOSITORY_ROOT, 'test', 'consumers', 'projects', 'tsx-legacy', 'tsconfig.json'),
      );
      expect(shownFile(file, block).block).to.equal(shownFile(file, block).file);
    });
  });
});
