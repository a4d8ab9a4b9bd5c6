/**
 * Runs the examples of a Markdown document as a user would: each block tagged to run is pasted
 * into `index.ts` of a fresh project that has the packed package installed, and run with tsx.
 *
 * Conventions for the blocks:
 * - ```` ```ts run ```` — a complete program. It runs in a project like the one `npm init -y`
 *   makes (CommonJS, so no top-level `await`) with no tsconfig.json: standard decorators.
 * - ```` ```ts run legacy ```` — the same, with the one-line tsconfig.json
 *   `{ "compilerOptions": { "experimentalDecorators": true } }` (for `@Param()` and the other
 *   parameter decorators).
 * - ```` ```ts run esm ```` (combinable with `legacy`) — the project's package.json says
 *   `"type": "module"`, so top-level `await` works.
 * - Expected output: a `// → text` comment (on its own line, or after a statement) is the next
 *   line the program must print. When a block has any, its output must be exactly those lines, in
 *   order (blank lines ignored); `…` in an expected line matches any text. A block without them
 *   only has to exit with status 0.
 * - Packages other than async-dag that a block imports (`@nestjs/core`, `rxjs`, …) are linked
 *   from this repository's node_modules, as if the user had installed them.
 * - ```` ```json file=projects/jest/standard/jest.config.js ```` (any language) — the block shows
 *   that file of test/consumers/, which the consumer tests use: it must be identical to it.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONSUMERS,
  REPOSITORY_ROOT,
  createProject,
  linesOf,
  runNode,
  type ConsumerTools,
  type PackedPackage,
} from './consumers';
import { extractCodeBlocks, type FencedBlock } from './markdown-snippets';

/** A block tagged `run`. */
export interface RunnableBlock {
  readonly document: string;
  readonly block: FencedBlock;
  readonly legacy: boolean;
  readonly esm: boolean;
  /** The `// → …` lines, or `undefined` when the block has none. */
  readonly expected: readonly string[] | undefined;
}

const TYPESCRIPT_LANGUAGES = new Set(['ts', 'typescript']);
const EXPECTED_OUTPUT = /\/\/ → (.*)$/;

/** The blocks of `markdown` tagged `run`, in document order. */
export function runnableBlocks(document: string, markdown: string): RunnableBlock[] {
  return extractCodeBlocks(markdown)
    .filter((block) => TYPESCRIPT_LANGUAGES.has(block.language) && block.tags.includes('run'))
    .map((block) => {
      const expected = block.code
        .split('\n')
        .map((line) => EXPECTED_OUTPUT.exec(line)?.[1].trimEnd())
        .filter((line): line is string => line !== undefined);
      return {
        document,
        block,
        legacy: block.tags.includes('legacy'),
        esm: block.tags.includes('esm'),
        expected: expected.length > 0 ? expected : undefined,
      };
    });
}

/** The blocks of `markdown` tagged `file=…`: each with the test/consumers/ file it shows. */
export function fileBlocks(markdown: string): { block: FencedBlock; file: string }[] {
  return extractCodeBlocks(markdown).flatMap((block) => {
    const tag = block.tags.find((candidate) => candidate.startsWith('file='));
    return tag === undefined ? [] : [{ block, file: join(CONSUMERS, tag.slice('file='.length)) }];
  });
}

/** The package.json `npm init -y` writes (npm 11), with `"type": "module"` for `esm` blocks. */
function npmInitPackageJson(esm: boolean): string {
  return JSON.stringify(
    {
      name: 'snippet',
      version: '1.0.0',
      description: '',
      main: 'index.js',
      scripts: { test: 'echo "Error: no test specified" && exit 1' },
      keywords: [],
      author: '',
      license: 'ISC',
      type: esm ? 'module' : 'commonjs',
    },
    null,
    2,
  );
}

/**
 * The packages a block imports, other than async-dag and Node.js built-ins — plus the peer
 * dependency a user installs with an entry point that needs one (`async-dag/opentelemetry`).
 */
function importedPackages(code: string): string[] {
  const names = new Set<string>();
  for (const [, specifier] of code.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"./][^'"]*)['"]/g)) {
    if (specifier.startsWith('node:')) continue;
    if (specifier === 'async-dag/opentelemetry') names.add('@opentelemetry/api');
    const [scopeOrName, name] = specifier.split('/');
    names.add(scopeOrName.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName);
  }
  names.delete('async-dag');
  return [...names];
}

/** Runs one block in a fresh project; resolves with its output lines. */
export async function runBlock(
  { document, block, legacy, esm }: RunnableBlock,
  pkg: PackedPackage,
  tools: ConsumerTools,
): Promise<string[]> {
  const files: Record<string, string> = {
    'package.json': npmInitPackageJson(esm),
    'index.ts': `${block.code}\n`,
  };
  if (legacy)
    files['tsconfig.json'] = '{ "compilerOptions": { "experimentalDecorators": true } }\n';
  const project = createProject(
    `snippet-${document.replace(/\W+/g, '-')}-${block.line}`,
    { files },
    pkg,
  );
  const packages = importedPackages(block.code);
  for (const name of packages) {
    if (!existsSync(join(REPOSITORY_ROOT, 'node_modules', name))) {
      throw new Error(`${document}:${block.line} imports ${name}, which is not installed here`);
    }
  }
  linkRepositoryPackages(project, packages);
  const { stdout } = await runNode([tools.tool('tsx/dist/cli.mjs'), 'index.ts'], {
    cwd: project,
    timeoutMs: 60_000,
  });
  return linesOf(stdout);
}

function linkRepositoryPackages(project: string, packages: readonly string[]): void {
  for (const name of packages) {
    const target = join(project, 'node_modules', name);
    mkdirSync(join(target, '..'), { recursive: true });
    symlinkSync(join(REPOSITORY_ROOT, 'node_modules', name), target, 'dir');
  }
}

/** Whether `actual` is exactly the expected lines, `…` in one matching any text. */
export function matchesExpected(actual: readonly string[], expected: readonly string[]): boolean {
  return (
    actual.length === expected.length &&
    expected.every((line, index) => {
      const pattern = line
        .split('…')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*');
      return new RegExp(`^${pattern}$`).test(actual[index].trimEnd());
    })
  );
}

/** The file a `file=` block shows, and the block's text, both without trailing whitespace. */
export function shownFile(file: string, block: FencedBlock): { file: string; block: string } {
  const trim = (text: string) => text.replace(/\s+$/, '');
  return { file: trim(readFileSync(file, 'utf8')), block: trim(block.code) };
}
