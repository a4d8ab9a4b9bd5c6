/**
 * The published package, as consumers get it: `npm pack`, then fresh projects that install the
 * tarball and build and run the seed example with every toolchain API.md §10 names — tsc (5.0,
 * 5.9, 6 and 7; CommonJS, NodeNext ESM with the checks of `tsc --init`, and a browser project;
 * both decorator modes; the published `.d.ts` with `skipLibCheck: false`), tsx, vitest 3 on
 * vite 7, jest with @swc/jest, mocha with ts-node (and the error ts-node stops with on TypeScript
 * 7), Babel 7 (standard and legacy decorators, and what becomes of a parameter decorator and of
 * the 2018-09 decorators), esbuild ESM and browser bundles (the browser bundles in a `node:vm` realm, and in headless
 * Chromium when one is installed), Bun, Deno, and one Node.js process loading both the CommonJS and the
 * ES-module build. Each consumer must print the seed's started/done order and results 1 and 4.
 * TypeScript 5.0, 5.9 and 7 also compile the repository's type tests (test/types/) against the
 * published `.d.ts`.
 *
 * The consumers run concurrently (a few at a time) from `before`; each `it` checks one consumer's
 * output, and `after` prints how long each took. The projects, tools and seed programs are in
 * test/consumers/ (see test/support/consumers.ts); docs/toolchains.md shows their configurations.
 * Slow (a build, installs); skip it with `ASYNC_DAG_SKIP_PACK=1`.
 */
import { expect } from 'chai';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { runInBrowserRealm } from './support/browser-realm';
import { findChromium, runInChromium } from './support/chromium';
import {
  consumerTools,
  createProject,
  limitConcurrency,
  linesOf,
  packedPackage,
  REPOSITORY_ROOT,
  run,
  runNode,
  seedOutput,
  seedProgram,
  seedSource,
  skipPack,
  type ConsumerTools,
  type Failed,
  type PackedPackage,
} from './support/consumers';

type Mode = 'standard' | 'legacy';

/** What one consumer printed, per variant (e.g. "commonjs, legacy"). */
type Outputs = Record<string, string[]>;

/** One consumer: a toolchain building and running the seed example in its variants. */
interface Consumer {
  readonly title: string;
  /** The lines each variant must print. */
  readonly expected: Outputs;
  /** Why this consumer cannot run here, if it cannot. */
  readonly unavailable?: (tools: ConsumerTools, pkg: PackedPackage) => Promise<string | undefined>;
  readonly run: (tools: ConsumerTools, pkg: PackedPackage) => Promise<Outputs>;
}

/** A consumer's result, or why it was skipped. */
type Outcome = { outputs: Outputs } | { skipped: string };

/** Rewrites a JSON file of a project (comments in the templates are dropped). */
function editJson(file: string, edit: (json: any) => void): void {
  const json = JSON.parse(readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '')) as Record<
    string,
    unknown
  >;
  edit(json);
  writeFileSync(file, JSON.stringify(json, null, 2));
}

/**
 * The declarations an ES-module project compiles for an entry point, as tsc lists them: the
 * CommonJS half's, then the ES-module half's `.d.ts`, which re-exports them (scripts/build.cjs).
 */
function esmDeclarations(module: string): string {
  return `dist/cjs/${module}.d.ts dist/esm/${module}.d.ts`;
}

/**
 * Each TypeScript version builds three projects in one `tsc -b`: CommonJS and NodeNext ESM (run
 * afterwards with Node.js) and a browser project (DOM library, no @types/node; checked only).
 * The decorator modes alternate, so each version checks the published `.d.ts` in both modes and
 * both module formats are run in both modes.
 */
const TYPESCRIPT_VERSIONS = [
  { version: '5.0', tool: 'ts50', commonjs: 'legacy', esm: 'standard' },
  { version: '5.9', tool: 'ts59', commonjs: 'standard', esm: 'legacy' },
  { version: '6.0', tool: 'ts60', commonjs: 'legacy', esm: 'standard' },
  { version: '7.0', tool: 'ts70', commonjs: 'standard', esm: 'legacy' },
] as const;

/**
 * The type checks `tsc --init` writes into a new tsconfig.json since TypeScript 5.9 (beside
 * `strict`, which every project here has), for the ES-module projects of `typescriptConsumer`.
 */
const TSC_INIT_CHECKS = {
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  moduleDetection: 'force',
};

function typescriptConsumer({
  version,
  tool,
  commonjs,
  esm,
}: (typeof TYPESCRIPT_VERSIONS)[number]) {
  const projects = [
    { variant: `commonjs, ${commonjs}`, template: `tsc-commonjs-${commonjs}`, mode: commonjs },
    { variant: `nodenext ESM, ${esm}`, template: `tsc-esm-${esm}`, mode: esm },
    { variant: 'browser, standard', template: 'tsc-browser', mode: 'standard' as const },
  ];
  const runnable = projects.slice(0, 2);
  return {
    title: `tsc ${version}: compiles against the published .d.ts (skipLibCheck false) and runs`,
    expected: {
      ...Object.fromEntries(runnable.map(({ variant, mode }) => [variant, seedOutput(mode)])),
      'declarations used': projects.map(({ variant }) =>
        variant.startsWith('commonjs') ? 'dist/cjs/index.d.ts' : esmDeclarations('index'),
      ),
    },
    async run(tools, pkg) {
      const directories = projects.map(({ template, mode }) => {
        const directory = createProject(
          `ts${tool.slice(2)}-${template}`,
          {
            template,
            files: { 'index.ts': seedProgram(mode) },
            links: template === 'tsc-browser' ? [] : ['@types/node'],
          },
          pkg,
        );
        editJson(join(directory, 'tsconfig.json'), (config) => {
          config.compilerOptions.listFiles = true;
          // TypeScript's own lib.*.d.ts take seconds to check and are not ours: skipped before 7,
          // whose native compiler checks everything in a fraction of that time.
          if (version !== '7.0') config.compilerOptions.skipDefaultLibCheck = true;
          // The ES-module project also takes the checks `tsc --init` turns on since 5.9, which a
          // new project has: the published `.d.ts` and the seed must compile under them too.
          if (template.startsWith('tsc-esm-')) {
            Object.assign(config.compilerOptions, TSC_INIT_CHECKS);
            // TypeScript 5.6+: the declarations' `import 'reflect-metadata'` must resolve.
            if (version !== '5.0') config.compilerOptions.noUncheckedSideEffectImports = true;
          }
        });
        return directory;
      });
      const build = await runNode([tools.tool(`${tool}/bin/tsc`), '-b', ...directories], {
        cwd: pkg.workDirectory,
      });
      const declarations = directories.map((directory) => {
        const installed = join(directory, 'node_modules', 'async-dag') + '/';
        const used = linesOf(build.stdout).filter(
          (file) => file.startsWith(installed) && file.endsWith('/index.d.ts'),
        );
        return used.map((file) => file.slice(installed.length)).join(' ') || 'none';
      });
      const outputs: Outputs = { 'declarations used': declarations };
      for (const [index, { variant }] of runnable.entries()) {
        const { stdout } = await runNode([join('out', 'index.js')], { cwd: directories[index] });
        outputs[variant] = linesOf(stdout);
      }
      return outputs;
    },
  } satisfies Consumer;
}

/**
 * The repository's type tests (test/types/), which `npm run typecheck` compiles against src/ with
 * TypeScript 6, compiled by 5.0, 5.9 and 7.0 against the published `.d.ts` instead: each
 * file is copied into a consumer project with its imports of src/ rewritten to the package's
 * entry points, and compiled with the type-checking options of its own tsconfig.
 * `@ts-expect-error` makes tsc fail when a line it marks compiles, so an expectation that holds on
 * one version only fails the version it breaks on. The legacy-mode tests compile as CommonJS and
 * the standard-mode ones as an ES module, so both halves of the declarations are checked. They
 * emit declarations, as a library built on async-dag does: every type an exported function's
 * inferred signature names must be one the package exports (an internal one is TS2742 / TS2883,
 * "cannot be named without a reference to …/dist/cjs/types"; see test/types/generic-helpers.ts).
 */
const TYPE_TESTS = [
  { mode: 'legacy', folder: 'test/types', module: 'CommonJS', shared: [] },
  // A test of both modes lives in test/types and is listed here too (and in the tsconfig.json).
  {
    mode: 'standard',
    folder: 'test/types/standard',
    module: 'ES module',
    shared: ['test/types/task-fallback.ts', 'test/types/generic-helpers.ts'],
  },
] as const;

/** The package's entry points, by the source file they are built from. */
const ENTRY_POINTS: Record<string, string> = {
  'src/index.ts': 'async-dag',
  'src/opentelemetry.ts': 'async-dag/opentelemetry',
};

/**
 * The compiler options of a type-test tsconfig that change what type-checks, taken over from the
 * repository's config (and the configs it extends). The rest are the consumer's (module, lib,
 * types): the repository's `module: node20` and @types/mocha are not for TypeScript 5.0.
 */
const TYPE_CHECKING_OPTIONS = [
  'target',
  'strict',
  'exactOptionalPropertyTypes',
  'experimentalDecorators',
  'useDefineForClassFields',
  'noImplicitOverride',
  'noUnusedLocals',
  'noUnusedParameters',
  'noFallthroughCasesInSwitch',
  'esModuleInterop',
];

/** A tsconfig's compilerOptions, merged over those of the configs it extends. */
function compilerOptionsOf(file: string): Record<string, unknown> {
  const config = JSON.parse(readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
    extends?: string;
    compilerOptions?: Record<string, unknown>;
  };
  const base = config.extends ? compilerOptionsOf(join(dirname(file), config.extends)) : {};
  return { ...base, ...config.compilerOptions };
}

/** The type-test files of a folder (not its subfolders). */
function typeTestFiles(folder: string): string[] {
  return readdirSync(join(REPOSITORY_ROOT, folder))
    .filter((name) => name.endsWith('.ts'))
    .sort();
}

/** The type tests one mode compiles, as consumer sources by file name: its folder's, then shared. */
function typeTestSources({ folder, shared }: (typeof TYPE_TESTS)[number]): Record<string, string> {
  return Object.fromEntries([
    ...typeTestFiles(folder).map((name) => [name, asConsumer(folder, name)]),
    ...shared.map((file) => [basename(file), asConsumer(dirname(file), basename(file))]),
  ]);
}

/**
 * A type test as a consumer writes it: its imports of an entry point's source rewritten to the
 * entry point. Any other relative import (a module the package does not export) is an error, so a
 * type test of internals cannot slip into this check unnoticed.
 */
function asConsumer(folder: string, name: string): string {
  const source = readFileSync(join(REPOSITORY_ROOT, folder, name), 'utf8');
  return source.replace(
    /(\bfrom\s+|\bimport\s*\(\s*)(['"])(\.[^'"]*)\2/g,
    (_match, keyword: string, quote: string, specifier: string) => {
      const target = relative(REPOSITORY_ROOT, join(REPOSITORY_ROOT, folder, specifier));
      const entry = ENTRY_POINTS[`${target}.ts`] ?? ENTRY_POINTS[join(target, 'index.ts')];
      if (entry === undefined) {
        throw new Error(
          `${folder}/${name} imports '${specifier}', which the package does not export: the ` +
            'type tests import only src/index.ts and src/opentelemetry.ts, the entry points, ' +
            'because test/package.spec.ts compiles them against the published package',
        );
      }
      return `${keyword}${quote}${entry}${quote}`;
    },
  );
}

function typeTestsConsumer({ version, tool }: (typeof TYPESCRIPT_VERSIONS)[number]) {
  return {
    title: `tsc ${version}: the repository's type tests compile against the published .d.ts`,
    expected: {
      ...Object.fromEntries(
        TYPE_TESTS.map((tests) => [
          `${tests.mode}, ${tests.module}: ${tests.folder}`,
          Object.keys(typeTestSources(tests)).sort(),
        ]),
      ),
      'declarations used': TYPE_TESTS.map(({ module }) =>
        module === 'CommonJS' ? 'dist/cjs/index.d.ts' : esmDeclarations('index'),
      ),
      errors: [],
    },
    async run(tools, pkg) {
      const directories = TYPE_TESTS.map((tests) => {
        const { mode, folder, module } = tests;
        const repositoryOptions = compilerOptionsOf(join(REPOSITORY_ROOT, folder, 'tsconfig.json'));
        const files = typeTestSources(tests);
        const directory = createProject(
          `${tool}-type-tests-${mode}`,
          {
            files: {
              ...files,
              'package.json': JSON.stringify({
                private: true,
                type: module === 'ES module' ? 'module' : 'commonjs',
              }),
              'tsconfig.json': JSON.stringify({
                compilerOptions: {
                  ...Object.fromEntries(
                    TYPE_CHECKING_OPTIONS.filter((key) => key in repositoryOptions).map((key) => [
                      key,
                      repositoryOptions[key],
                    ]),
                  ),
                  module: 'nodenext',
                  // The DOM library instead of @types/node, which skipLibCheck false would check
                  // (seconds per version): the tests use only globals both declare.
                  lib: [...((repositoryOptions.lib as string[] | undefined) ?? ['ES2022']), 'DOM'],
                  types: [],
                  skipLibCheck: false,
                  // See typescriptConsumer: TypeScript's own lib.*.d.ts, skipped before 7.
                  skipDefaultLibCheck: version !== '7.0',
                  // Declarations only, which check that inferred types can be named.
                  declaration: true,
                  emitDeclarationOnly: true,
                  outDir: 'out',
                  listFiles: true,
                  pretty: false,
                },
                files: Object.keys(files),
              }),
            },
          },
          pkg,
        );
        // async-dag/opentelemetry's declarations import its optional peer: linked, as in the
        // OpenTelemetry consumer.
        const peer = join(directory, 'node_modules', '@opentelemetry', 'api');
        mkdirSync(dirname(peer), { recursive: true });
        symlinkSync(join(REPOSITORY_ROOT, 'node_modules', '@opentelemetry', 'api'), peer, 'dir');
        return directory;
      });
      let stdout: string;
      try {
        ({ stdout } = await runNode([tools.tool(`${tool}/bin/tsc`), '-b', ...directories], {
          cwd: pkg.workDirectory,
        }));
      } catch (error) {
        // Type errors are this consumer's output, so that a failure lists them and nothing else.
        ({ stdout } = error as Failed);
        if (!linesOf(stdout).some((line) => /error TS\d+/.test(line))) throw error;
      }
      const lines = linesOf(stdout);
      const outputs: Outputs = {
        errors: lines.filter((line) => !isAbsolute(line)),
        'declarations used': [],
      };
      for (const [index, { mode, folder, module }] of TYPE_TESTS.entries()) {
        const directory = directories[index] + '/';
        const installed = join(directory, 'node_modules', 'async-dag') + '/';
        outputs[`${mode}, ${module}: ${folder}`] = lines
          .filter((file) => file.startsWith(directory) && !file.includes('/node_modules/'))
          .map((file) => file.slice(directory.length))
          .sort();
        outputs['declarations used']!.push(
          lines
            .filter((file) => file.startsWith(installed) && file.endsWith('/index.d.ts'))
            .map((file) => file.slice(installed.length))
            .join(' ') || 'none',
        );
      }
      return outputs;
    },
  } satisfies Consumer;
}

/**
 * A traced builder run through the published `async-dag/opentelemetry`, with a tracer that logs
 * each span as it ends: name, parent, outcome, events. No SDK: the entry point needs only the API.
 */
const TRACED_RUN = `
const { trace } = require('@opentelemetry/api');
const { buildDag, skip } = require('async-dag');
const { openTelemetry } = require('async-dag/opentelemetry');

const ended = [];
let spans = 0;
const tracer = {
  startSpan(name, options, parentContext) {
    const parent = trace.getSpan(parentContext);
    const spanId = String(++spans).padStart(16, '0');
    const attributes = { ...options.attributes };
    const events = [];
    return {
      name,
      spanContext: () => ({ traceId: '1'.repeat(32), spanId, traceFlags: 1 }),
      setAttribute(key, value) { attributes[key] = value; return this; },
      setStatus() { return this; },
      recordException() {},
      addEvent(event) { events.push(event); return this; },
      end() {
        const outcome = attributes['async_dag.attempt.outcome'] ?? attributes['async_dag.run.outcome'];
        ended.push([name, 'under', parent ? parent.name : 'nothing', outcome, ...events].join(' '));
      },
    };
  },
};

const tm = buildDag({ name: 'traced' });
const first = tm.addNode({ name: 'first' }, async () => 1);
const second = tm.addNode({ name: 'second' }, () => skip('nothing to do'), first);
tm.addNode({ name: 'third' }, (value) => value, second);
tm.invoke(undefined, { interceptors: [openTelemetry({ tracer })] }).then(() => console.log(ended.join('\\n')));
`;

/** The entry point's types, as a TypeScript consumer sees them (node10 and NodeNext). */
const TRACED_TYPES = `
import { Workflow, type WorkflowInterceptor } from 'async-dag';
import { openTelemetry, type OpenTelemetryOptions } from 'async-dag/opentelemetry';

const options: OpenTelemetryOptions = {};
const interceptor: WorkflowInterceptor = openTelemetry(options);
// @ts-expect-error -- not an option
openTelemetry({ tracr: undefined });
export const run = (flow: object) => Workflow.invoke(flow, undefined, { interceptors: [interceptor] });
`;

/** The compiler options of every project of TRACED_TYPES, but how it resolves modules. */
const TRACED_COMPILER_OPTIONS = {
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  // TypeScript's own lib.*.d.ts (the DOM's takes seconds) are not ours to check.
  skipDefaultLibCheck: true,
  types: [],
  lib: ['ES2022', 'DOM'],
  target: 'ES2022',
};

/** A NodeNext project of TRACED_TYPES (CommonJS or an ES module, as its package.json says). */
const NODENEXT_TSCONFIG = JSON.stringify({
  compilerOptions: { module: 'nodenext', ...TRACED_COMPILER_OPTIONS },
});

/** The OpenTelemetry entry point: loads only with its optional peer, traces, and is typed. */
const openTelemetryConsumer: Consumer = {
  title: 'async-dag/opentelemetry: needs only its optional peer, traces a run, and is typed',
  expected: {
    'without @opentelemetry/api': ['MODULE_NOT_FOUND true'],
    'traced run': [
      'traced.first under traced succeeded',
      'traced.second under traced skipped',
      'traced under nothing succeeded async_dag.task.skipped async_dag.task.skipped',
    ],
    'ES module import': ['function'],
    'declarations compiled (node10; nodenext CommonJS; nodenext ES module)': [
      'dist/cjs/opentelemetry.d.ts',
      'dist/cjs/opentelemetry.d.ts',
      esmDeclarations('opentelemetry'),
    ],
  },
  async run(tools, pkg) {
    const bare = createProject(
      'otel-bare',
      {
        files: {
          'probe.js':
            "try { require('async-dag/opentelemetry'); console.log('loaded'); } catch (error) {" +
            ' console.log(error.code, error.message.includes("\'@opentelemetry/api\'")); }',
        },
      },
      pkg,
    );
    const withoutPeer = await runNode(['probe.js'], { cwd: bare });
    const traced = createProject(
      'otel',
      {
        files: {
          'traced.js': TRACED_RUN,
          'imported.mjs':
            "import { openTelemetry } from 'async-dag/opentelemetry'; console.log(typeof openTelemetry);",
          'node10/index.ts': TRACED_TYPES,
          'node10/tsconfig.json': JSON.stringify({
            compilerOptions: {
              module: 'commonjs',
              moduleResolution: 'node10',
              ignoreDeprecations: '6.0',
              ...TRACED_COMPILER_OPTIONS,
            },
          }),
          'nodenext/index.ts': TRACED_TYPES,
          'nodenext/tsconfig.json': NODENEXT_TSCONFIG,
          // An ES-module package: its imports take the "import" condition's declarations.
          'nodenext-esm/package.json': JSON.stringify({ private: true, type: 'module' }),
          'nodenext-esm/index.ts': TRACED_TYPES,
          'nodenext-esm/tsconfig.json': NODENEXT_TSCONFIG,
        },
      },
      pkg,
    );
    // The optional peer, as a user installs it: this repository's copy, linked.
    const peer = join(traced, 'node_modules', '@opentelemetry', 'api');
    mkdirSync(dirname(peer), { recursive: true });
    symlinkSync(join(REPOSITORY_ROOT, 'node_modules', '@opentelemetry', 'api'), peer, 'dir');
    // The entry point's declarations a project compiled (a type error fails the consumer).
    const installed = join(traced, 'node_modules', 'async-dag') + '/';
    const tsc = async (project: string) => {
      const { stdout } = await runNode([tools.tool('ts60/bin/tsc'), '-p', project, '--listFiles'], {
        cwd: traced,
      });
      const used = linesOf(stdout).filter(
        (file) => file.startsWith(installed) && file.endsWith('/opentelemetry.d.ts'),
      );
      return used.map((file) => file.slice(installed.length)).join(' ') || 'none';
    };
    const [run1, run2, declarations] = await Promise.all([
      runNode(['traced.js'], { cwd: traced }),
      runNode(['imported.mjs'], { cwd: traced }),
      // Types through "typesVersions" (node10, TypeScript 5's CommonJS default) and through
      // "exports": its "require" condition (nodenext in CommonJS) and its "import" one.
      (async () => [await tsc('node10'), await tsc('nodenext'), await tsc('nodenext-esm')])(),
    ]);
    return {
      'without @opentelemetry/api': linesOf(withoutPeer.stdout),
      'traced run': linesOf(run1.stdout),
      'ES module import': linesOf(run2.stdout),
      'declarations compiled (node10; nodenext CommonJS; nodenext ES module)': declarations,
    };
  },
};

/** The esbuild project and its bundles: an ES module for Node.js, IIFEs for browsers. */
interface EsbuildBundles {
  readonly directory: string;
  /** The browser bundle with standard decorators. */
  readonly browser: string;
  /** The browser bundle with legacy decorators. */
  readonly browserLegacy: string;
}

let bundles: Promise<EsbuildBundles> | undefined;

/** Builds the esbuild project once; the esbuild and Chromium consumers both run its bundles. */
function esbuildBundles(tools: ConsumerTools, pkg: PackedPackage): Promise<EsbuildBundles> {
  return (bundles ??= (async () => {
    const directory = createProject(
      'esbuild',
      {
        template: 'esbuild',
        files: { 'index.ts': seedProgram('standard'), 'legacy/index.ts': seedProgram('legacy') },
      },
      pkg,
    );
    const esbuild = (...args: string[]) =>
      run(tools.tool('esbuild/bin/esbuild'), args, { cwd: directory });
    await esbuild(
      ...'index.ts --bundle --format=esm --platform=node --target=node20 --outfile=out/app.mjs'.split(
        ' ',
      ),
    );
    await esbuild(
      ...'index.ts --bundle --format=iife --platform=browser --target=es2022 --outfile=out/browser.js'.split(
        ' ',
      ),
    );
    await esbuild(
      ...'legacy/index.ts --bundle --format=iife --platform=browser --target=es2022 --outfile=out/browser-legacy.js'.split(
        ' ',
      ),
    );
    return {
      directory,
      browser: join(directory, 'out', 'browser.js'),
      browserLegacy: join(directory, 'out', 'browser-legacy.js'),
    };
  })());
}

/** Bun and Deno run TypeScript themselves: a project per decorator mode. */
function runtimeConsumer(
  runtime: 'bun' | 'deno',
  binary: string,
  args: readonly string[],
  env: (pkg: PackedPackage) => NodeJS.ProcessEnv,
): Consumer {
  return {
    title: `${runtime === 'bun' ? 'Bun' : 'Deno'}: runs the TypeScript source in both modes`,
    expected: { standard: seedOutput('standard'), legacy: seedOutput('legacy') },
    async unavailable(tools, pkg) {
      try {
        await run(tools.tool(binary), ['--version'], { cwd: pkg.workDirectory, env: env(pkg) });
        return undefined;
      } catch (error) {
        return `${runtime} from npm does not run here: ${(error as Error).message.split('\n')[0]}`;
      }
    },
    async run(tools, pkg) {
      const outputs: Outputs = {};
      for (const mode of ['standard', 'legacy'] as const) {
        const directory = createProject(
          `${runtime}-${mode}`,
          { template: `${runtime}-${mode}`, files: { 'index.ts': seedProgram(mode) } },
          pkg,
        );
        const { stdout } = await run(tools.tool(binary), [...args, 'index.ts'], {
          cwd: directory,
          env: env(pkg),
        });
        outputs[mode] = linesOf(stdout);
      }
      return outputs;
    },
  };
}

/** A workflow compiled by Babel with its 2018-09 decorators: prints what validating it throws. */
const BABEL_2018_09_PROGRAM = `
import { Task, Workflow, WorkflowDefinitionError } from 'async-dag';

class Flow {
  @Task() load() {
    return 1;
  }
}

try {
  Workflow.validate(Flow);
  console.log('valid');
} catch (error) {
  const { code, message } = error as WorkflowDefinitionError;
  console.log(\`\${code} \${message}\`);
}
`;

const CONSUMERS: readonly Consumer[] = [
  ...TYPESCRIPT_VERSIONS.map(typescriptConsumer),
  // npm run typecheck already compiles them with the repository's TypeScript (6.0), against src/.
  ...TYPESCRIPT_VERSIONS.filter(({ version }) => version !== '6.0').map(typeTestsConsumer),
  {
    title: 'tsx: runs index.ts with no tsconfig (standard) and with the one-line tsconfig (legacy)',
    expected: { standard: seedOutput('standard'), legacy: seedOutput('legacy') },
    async run(tools, pkg) {
      const outputs: Outputs = {};
      for (const mode of ['standard', 'legacy'] as const) {
        const directory = createProject(
          `tsx-${mode}`,
          { template: `tsx-${mode}`, files: { 'index.ts': seedProgram(mode) } },
          pkg,
        );
        const { stdout } = await runNode([tools.tool('tsx/dist/cli.mjs'), 'index.ts'], {
          cwd: directory,
        });
        outputs[mode] = linesOf(stdout);
      }
      return outputs;
    },
  },
  {
    title:
      'Babel 7: compiles the seed with standard (2023-11) and legacy decorators; parameter decorators and version 2018-09 fail as documented',
    expected: {
      standard: seedOutput('standard'),
      legacy: seedOutput('legacy'),
      'with @Param(), standard': ['Decorators cannot be used to decorate parameters.'],
      'with @Param(), legacy': [
        'compiled, @Param() left in the output',
        'SyntaxError: Invalid or unexpected token',
      ],
      'version 2018-09': [
        'INVALID_TASK Flow: @Task() on "load" was applied by Babel\'s decorators plugin with ' +
          '"version": "2018-09" (its default in Babel 7 when no version is set), an early ' +
          'decorators proposal that async-dag does not support. Set "version": "2023-11" ' +
          '(standard decorators) or "version": "legacy" in the options of ' +
          '@babel/plugin-proposal-decorators.',
      ],
    },
    async run(tools, pkg) {
      const babel = (directory: string, file: string) =>
        runNode(
          [tools.tool('@babel/cli/bin/babel.js'), `${file}.ts`, '--out-file', `out/${file}.js`],
          {
            cwd: directory,
          },
        );
      const outputs: Outputs = {};
      for (const mode of ['standard', 'legacy'] as const) {
        // Babel has no parameter decorators: both modes compile the seed that lists its inputs
        // with the tokens, and the seed with @Param() shows what happens to one.
        const directory = createProject(
          `babel-${mode}`,
          {
            template: `babel-${mode}`,
            files: { 'index.ts': seedProgram('standard'), 'param.ts': seedProgram('legacy') },
            links: ['@babel/preset-typescript', '@babel/plugin-proposal-decorators'],
          },
          pkg,
        );
        await babel(directory, 'index');
        const { stdout } = await runNode([join('out', 'index.js')], { cwd: directory });
        outputs[mode] = linesOf(stdout);
        const compiled = await babel(directory, 'param').then(
          () => readFileSync(join(directory, 'out', 'param.js'), 'utf8'),
          (error: Failed) => error,
        );
        if (typeof compiled !== 'string') {
          const message = /Decorators cannot be used to decorate parameters\./.exec(
            compiled.stderr,
          );
          outputs[`with @Param(), ${mode}`] = [message?.[0] ?? compiled.message];
          continue;
        }
        const failure = await runNode([join('out', 'param.js')], { cwd: directory }).then(
          () => 'ran',
          (error: Failed) => /SyntaxError: .*/.exec(error.stderr)?.[0] ?? error.message,
        );
        outputs[`with @Param(), ${mode}`] = [
          `compiled, @Param() ${/\(@Param\(\)/.test(compiled) ? 'left in' : 'removed from'} the output`,
          failure,
        ];
      }
      // Babel 7's default decorators when no version is set (an early proposal): a definition
      // error that names the setting to use, where the class seemed to have no tasks.
      const early = createProject(
        'babel-2018-09',
        {
          files: {
            'package.json': JSON.stringify({ private: true, type: 'module' }),
            'babel.config.json': JSON.stringify({
              presets: ['@babel/preset-typescript'],
              plugins: [
                [
                  '@babel/plugin-proposal-decorators',
                  { version: '2018-09', decoratorsBeforeExport: true },
                ],
              ],
            }),
            'index.ts': BABEL_2018_09_PROGRAM,
          },
          links: ['@babel/preset-typescript', '@babel/plugin-proposal-decorators'],
        },
        pkg,
      );
      await babel(early, 'index');
      outputs['version 2018-09'] = linesOf(
        (await runNode([join('out', 'index.js')], { cwd: early })).stdout,
      );
      return outputs;
    },
  },
  {
    title: 'vitest 3 on vite 7: runs a test file per decorator mode, with no vitest config',
    expected: {
      standard: seedOutput('standard'),
      legacy: seedOutput('legacy'),
      summary: ['Test Files  2 passed (2)'],
    },
    async run(tools, pkg) {
      const directory = createProject(
        'vitest',
        {
          template: 'vitest',
          files: { 'seed.ts': seedSource.standard, 'legacy/seed.ts': seedSource.legacy },
          links: ['vitest'],
        },
        pkg,
      );
      const { stdout } = await runNode([tools.tool('vitest/vitest.mjs'), 'run'], {
        cwd: directory,
        env: { CI: '1', NO_COLOR: '1' },
      });
      return {
        ...reports(directory),
        summary: linesOf(stdout)
          .filter(isVitestFileSummary)
          .map((line) => line.trim()),
      };
    },
  },
  {
    title: 'jest with @swc/jest: runs a test file per decorator mode',
    expected: {
      standard: seedOutput('standard'),
      legacy: seedOutput('legacy'),
      summary: ['Tests:       2 passed, 2 total'],
    },
    async run(tools, pkg) {
      const directory = createProject(
        'jest',
        {
          template: 'jest',
          files: { 'standard/seed.ts': seedSource.standard, 'legacy/seed.ts': seedSource.legacy },
          links: ['@swc/jest'],
        },
        pkg,
      );
      const { stderr } = await runNode(
        [tools.tool('jest/bin/jest.js'), '--ci', '--watchman=false'],
        { cwd: directory, env: { NO_COLOR: '1' } },
      );
      return { ...reports(directory), summary: linesOf(stderr).filter(isJestTestSummary) };
    },
  },
  {
    title:
      'mocha with ts-node: type-checks and runs the specs per decorator mode; TypeScript 7 fails as documented',
    expected: {
      standard: seedOutput('standard'),
      legacy: seedOutput('legacy'),
      summary: ['standard: 1 passing', 'legacy: 3 passing'],
      'with TypeScript 7': [
        "TypeError: Cannot read properties of undefined (reading 'fileExists')",
      ],
    },
    async run(tools, pkg) {
      const mocha = (directory: string) =>
        runNode([tools.tool('mocha/bin/mocha.js')], { cwd: directory, env: { NO_COLOR: '1' } });
      const outputs: Outputs = { summary: [] };
      const directories: Record<Mode, string> = { standard: '', legacy: '' };
      for (const mode of ['standard', 'legacy'] as const) {
        const directory = createProject(
          `mocha-${mode}`,
          {
            template: `mocha-${mode}`,
            files: { 'test/seed.ts': seedSource[mode] },
            links: ['chai', '@types/chai', '@types/mocha', '@types/node'],
          },
          pkg,
        );
        // ts-node loads the project's TypeScript, which must have the compiler API: 6, not 7.
        symlinkSync(tools.tool('ts60'), join(directory, 'node_modules', 'typescript'), 'dir');
        const { stdout } = await mocha(directory);
        outputs.summary!.push(
          ...linesOf(stdout)
            .filter(isMochaSummary)
            .map((line) => `${mode}: ${line.trim().replace(/ \(\d+m?s\)$/, '')}`),
        );
        directories[mode] = directory;
      }
      Object.assign(outputs, reports(directories));
      // The same project with TypeScript 7, which `npm i -D ts-node` installs as its peer today.
      const typescript = join(directories.legacy, 'node_modules', 'typescript');
      rmSync(typescript);
      symlinkSync(tools.tool('ts70'), typescript, 'dir');
      const failure = await mocha(directories.legacy).then(
        () => 'passed',
        (error: Failed) => `${error.stdout}\n${error.stderr}`,
      );
      outputs['with TypeScript 7'] = [/TypeError: .*/.exec(failure)?.[0] ?? failure];
      return outputs;
    },
  },
  {
    title: 'esbuild: an ES-module bundle runs in Node.js, browser bundles run in a browser realm',
    expected: {
      'ESM bundle for Node.js, standard': seedOutput('standard'),
      'browser bundle, standard': seedOutput('standard'),
      'browser bundle, legacy': seedOutput('legacy'),
      'Node.js globals in the browser realm': ['undefined undefined undefined undefined undefined'],
    },
    async run(tools, pkg) {
      const { directory, browser, browserLegacy } = await esbuildBundles(tools, pkg);
      const { stdout } = await runNode([join('out', 'app.mjs')], { cwd: directory });
      const realm = await runInBrowserRealm(browser);
      const realmLegacy = await runInBrowserRealm(browserLegacy);
      return {
        'ESM bundle for Node.js, standard': linesOf(stdout),
        'browser bundle, standard': realm.lines,
        'browser bundle, legacy': realmLegacy.lines,
        'Node.js globals in the browser realm': [realm.nodeGlobals],
      };
    },
  },
  {
    title: "Chromium: esbuild's browser bundles run in headless Chromium, when it is installed",
    expected: {
      'browser bundle, standard': seedOutput('standard'),
      'browser bundle, legacy': seedOutput('legacy'),
    },
    async unavailable() {
      const chromium = await findChromium();
      return 'missing' in chromium ? chromium.missing : undefined;
    },
    async run(tools, pkg) {
      const chromium = await findChromium();
      if ('missing' in chromium) throw new Error(chromium.missing);
      const { browser, browserLegacy } = await esbuildBundles(tools, pkg);
      return {
        'browser bundle, standard': await runInChromium(chromium.binary, browser),
        'browser bundle, legacy': await runInChromium(chromium.binary, browserLegacy),
      };
    },
  },
  runtimeConsumer('bun', 'bun/bin/bun.exe', ['run'], () => ({
    BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
    NO_COLOR: '1',
  })),
  runtimeConsumer('deno', 'deno/deno', ['run', '--quiet'], (pkg) => ({
    DENO_DIR: join(pkg.workDirectory, 'deno-dir'),
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
  })),
  {
    title:
      'Node.js: require() and import in one process share tokens, decorator records, errors and builders; one TypeScript program, one set of types',
    expected: {
      'dual package': [
        'copies two',
        'resolved true true',
        'tokens shared true',
        'standard 42 skipped',
        'legacy ab!',
        'errors true true',
        'builders true true',
      ],
      'a program of .cts and .mts files': ['errors: none'],
    },
    async run(tools, pkg) {
      const directory = createProject('node-dual', { template: 'node-dual' }, pkg);
      const { stdout } = await runNode(['dual.mjs'], { cwd: directory });
      // A result, a stream and a token of the ES-module half's types, handed to CommonJS code
      // typed by the other half (a class with `#private` members is nominal in TypeScript).
      const program = await runNode([tools.tool('ts60/bin/tsc'), '-p', join(directory, 'types')], {
        cwd: directory,
      }).catch((error: Failed) => error);
      const errors = linesOf(program.stdout).filter((line) => !isAbsolute(line));
      return {
        'dual package': linesOf(stdout),
        'a program of .cts and .mts files': [`errors: ${errors.join('\n') || 'none'}`],
      };
    },
  },
  openTelemetryConsumer,
];

/**
 * The `<mode>.report.json` files a test runner's seed tests wrote into the project, or into the
 * project of each mode.
 */
function reports(directory: string | Record<Mode, string>): Outputs {
  const outputs: Outputs = {};
  for (const mode of ['standard', 'legacy'] as Mode[]) {
    const file = join(
      typeof directory === 'string' ? directory : directory[mode],
      `${mode}.report.json`,
    );
    outputs[mode] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
  }
  return outputs;
}

const isVitestFileSummary = (line: string) => line.trim().startsWith('Test Files');
const isJestTestSummary = (line: string) => line.startsWith('Tests:');
const isMochaSummary = (line: string) => /^\s+\d+ (passing|failing|pending)\b/.test(line);

/** At most this many consumers build and run at once (each is mostly one CPU-bound process). */
const CONCURRENT_CONSUMERS = 3;

describe('the published package', function () {
  this.timeout(300_000);

  let pkg: PackedPackage;
  let tools: ConsumerTools;
  const outcomes = new Map<Consumer, Promise<Outcome>>();
  const timings = new Map<string, number>();
  let started: number;

  before(async function () {
    if (skipPack) this.skip();
    started = performance.now();
    [pkg, tools] = await Promise.all([packedPackage(), consumerTools()]);
    const limit = limitConcurrency(CONCURRENT_CONSUMERS);
    for (const consumer of CONSUMERS) {
      const outcome = limit(async (): Promise<Outcome> => {
        const reason = await consumer.unavailable?.(tools, pkg);
        if (reason !== undefined) return { skipped: reason };
        const start = performance.now();
        try {
          return { outputs: await consumer.run(tools, pkg) };
        } finally {
          timings.set(consumer.title, performance.now() - start);
        }
      });
      outcome.catch(() => {}); // awaited by its test; never an unhandled rejection meanwhile
      outcomes.set(consumer, outcome);
    }
  });

  after(async function () {
    if (started === undefined) return;
    await Promise.allSettled(outcomes.values());
    const seconds = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(1));
    console.log(
      [
        `    consumer timings (s), ${CONCURRENT_CONSUMERS} at a time:`,
        `      npm pack (build) ${seconds(pkg?.packMs)}, tarball install ${seconds(pkg?.installMs)}, ` +
          `tools npm ci ${tools?.installMs === undefined ? 'skipped (installed)' : seconds(tools.installMs)}`,
        ...[...timings].map(([title, ms]) => `      ${seconds(ms).padStart(5)}  ${title}`),
        `      ${seconds(performance.now() - started).padStart(5)}  in all`,
      ].join('\n'),
    );
  });

  it('contains the two builds and their declarations, README, CHANGELOG, LICENSE and nothing else', function () {
    const paths = pkg.report.files.map((file) => file.path).sort();
    for (const format of ['cjs', 'esm']) {
      expect(paths).to.include.members([
        `dist/${format}/index.js`,
        `dist/${format}/index.d.ts`,
        `dist/${format}/package.json`,
      ]);
    }
    const unexpected = paths.filter(
      (path) =>
        !/^dist\/(cjs|esm)\/[\w-]+\.(js|d\.ts)$/.test(path) &&
        !['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'].includes(path) &&
        !/^dist\/(cjs|esm)\/package\.json$/.test(path),
    );
    expect(
      unexpected,
      'files outside the builds, README.md, CHANGELOG.md, LICENSE and package.json',
    ).to.deep.equal([]);
    expect(paths).to.include.members(['CHANGELOG.md', 'LICENSE', 'README.md']);
    expect(paths.filter((path) => path.endsWith('.map'))).to.deep.equal([]);
    const halves = (format: string) =>
      paths.filter((path) => path.startsWith(`dist/${format}/`)).map((path) => path.slice(9));
    const javaScript = (format: string) => halves(format).filter((path) => !path.endsWith('.d.ts'));
    expect(javaScript('esm')).to.deep.equal(javaScript('cjs'));
    // The ES-module half's declarations are its entry points', which re-export the CommonJS ones.
    expect(halves('esm').filter((path) => path.endsWith('.d.ts'))).to.deep.equal([
      'index.d.ts',
      'opentelemetry.d.ts',
    ]);
    console.log(
      `    tarball ${(pkg.report.size / 1000).toFixed(1)} kB, unpacked ${(pkg.report.unpackedSize / 1000).toFixed(1)} kB, ${pkg.report.entryCount} files`,
    );
  });

  it('declares reflect-metadata as its only runtime dependency, and its exports', function () {
    const installed = JSON.parse(
      readFileSync(join(pkg.template, 'node_modules', 'async-dag', 'package.json'), 'utf8'),
    ) as { dependencies?: Record<string, string>; exports: unknown; sideEffects: unknown };
    expect(Object.keys(installed.dependencies ?? {})).to.deep.equal(['reflect-metadata']);
    const repository = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as {
      exports: unknown;
    };
    expect(installed.exports).to.deep.equal(repository.exports);
    for (const [format, type] of [
      ['cjs', 'commonjs'],
      ['esm', 'module'],
    ]) {
      const marker = join(
        pkg.template,
        'node_modules',
        'async-dag',
        'dist',
        format,
        'package.json',
      );
      // Bundlers read sideEffects from the nearest package.json: each half repeats the root's.
      expect(JSON.parse(readFileSync(marker, 'utf8'))).to.deep.equal({
        type,
        sideEffects: ['./index.js', './metadata.js'],
      });
    }
  });

  it('resolves require() to the CommonJS build and import to the ES-module build', async function () {
    const resolved = await runNode(
      [
        '--input-type=module',
        '--eval',
        "import { createRequire } from 'node:module';" +
          'const require = createRequire(import.meta.url);' +
          "const esm = await import('async-dag'); const cjs = require('async-dag');" +
          "console.log(require.resolve('async-dag'));" +
          "console.log(import.meta.resolve('async-dag'));" +
          'console.log(Object.keys(esm).sort().join(",") === Object.keys(cjs).sort().join(","));',
      ],
      { cwd: pkg.template },
    );
    const directory = join(pkg.template, 'node_modules', 'async-dag', 'dist');
    expect(linesOf(resolved.stdout)).to.deep.equal([
      join(directory, 'cjs', 'index.js'),
      `file://${join(directory, 'esm', 'index.js')}`,
      'true',
    ]);
  });

  for (const consumer of CONSUMERS) {
    it(consumer.title, async function () {
      const outcome = await outcomes.get(consumer)!;
      if ('skipped' in outcome) {
        console.log(`      skipped: ${outcome.skipped}`);
        this.skip();
      }
      expect(outcome.outputs).to.deep.equal(consumer.expected);
    });
  }
});
