/**
 * The published package, as a consumer gets it: `npm pack` (which builds through `prepack`), a
 * fresh project that installs the tarball, a decorated workflow compiled by plain `tsc` with
 * `experimentalDecorators`, and run with `node`. Slow (a build and an install); skip it with
 * `ASYNC_DAG_SKIP_PACK=1`.
 */
import { expect } from 'chai';
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repositoryRoot = resolve(__dirname, '..');
const typescriptCompiler = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** What `npm pack --json` reports about one tarball. */
interface PackReport {
  filename: string;
  files: { path: string }[];
}

/** The consumer's workflow: the seed example with short delays, typed results and a type error. */
const consumerSource = `
import { DependsOn, Param, Task, Workflow, WorkflowExecutionError } from 'async-dag';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class Example {
  readonly log: string[] = [];

  private async step<T>(name: string, ms: number, value: T): Promise<T> {
    this.log.push(name + ' started');
    await sleep(ms);
    this.log.push(name + ' done');
    return value;
  }

  @Task()
  fastTaskA(@Param() n: number) { return this.step('fastTaskA', 10, n + 1); }

  @Task() @DependsOn<Example>('fastTaskA')
  slowTaskB(a: number) { return this.step('slowTaskB', 200, a + 1); }

  @Task()
  slowTaskA(@Param() n: number) { return this.step('slowTaskA', 50, n + 1); }

  @Task()
  fastTaskB(@Param() n: number) { return this.step('fastTaskB', 20, n + 1); }

  @Task() @DependsOn<Example>('slowTaskA', 'fastTaskB')
  fastTaskC(a: number, b: number) { return this.step('fastTaskC', 10, a + b); }

  @Task() @DependsOn<Example>('fastTaskC', 'slowTaskB')
  endTask(c: number, b: number) { return this.step('endTask', 10, c + b); }
}

class Broken {
  @Task() explode(): number { throw new Error('boom'); }
}

async function main(): Promise<void> {
  const example = new Example();
  const result = await Workflow.invoke(example, 0);
  const first: number = result.get('fastTaskA');
  const end: number = result.get('endTask');
  // @ts-expect-error -- 'log' is not a method, so it is not a task name
  result.has('log') && result.get('log');
  console.log(example.log.join('\\n'));
  console.log('results ' + JSON.stringify({ first, end }));
  console.log('roots ' + Workflow.graph(Example).roots.join(' '));
  try {
    await Workflow.invoke(new Broken());
  } catch (error) {
    console.log('failure ' + (error instanceof WorkflowExecutionError) + ' ' + (error as Error).message);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/**
 * A traced builder run through the published `async-dag/opentelemetry`, with a tracer that logs
 * each span as it ends: name, parent, outcome, events. No SDK: the entry point needs only the API.
 */
const tracedSource = `
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

/** The entry point's types, as a TypeScript consumer sees them. */
const tracedTypesSource = `
import { Workflow, type WorkflowInterceptor } from 'async-dag';
import { openTelemetry, type OpenTelemetryOptions } from 'async-dag/opentelemetry';

const options: OpenTelemetryOptions = {};
const interceptor: WorkflowInterceptor = openTelemetry(options);
// @ts-expect-error -- not an option
openTelemetry({ tracr: undefined });
export const run = (flow: object) => Workflow.invoke(flow, undefined, { interceptors: [interceptor] });
`;

const consumerTsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'commonjs',
    lib: ['ES2022'],
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    // The package's declarations must compile as shipped.
    skipLibCheck: false,
    // A Node.js consumer has @types/node; borrow this repository's copy instead of installing it.
    typeRoots: [join(repositoryRoot, 'node_modules', '@types')],
    types: ['node'],
    outDir: 'out',
  },
  files: ['index.ts'],
};

describe('the published package', function () {
  this.timeout(180_000);

  let workDirectory: string;
  let pack: PackReport;
  let consumerDirectory: string;

  /** Runs a command to completion, without the coverage collector of a surrounding c8 run. */
  function run(command: string, args: string[], cwd: string): string {
    const env = { ...process.env };
    delete env.NODE_V8_COVERAGE;
    const options: ExecFileSyncOptions & { encoding: 'utf8' } = {
      cwd,
      env,
      encoding: 'utf8',
      stdio: 'pipe',
    };
    try {
      return execFileSync(command, args, options);
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(
        `${command} ${args.join(' ')} failed in ${cwd}:\n${failure.stdout ?? ''}\n${failure.stderr ?? failure.message}`,
        { cause: error },
      );
    }
  }

  before(function () {
    if (process.env.ASYNC_DAG_SKIP_PACK === '1') this.skip();
    workDirectory = mkdtempSync(join(tmpdir(), 'async-dag-pack-'));
    const output = run(
      npmCommand,
      ['pack', '--json', '--pack-destination', workDirectory],
      repositoryRoot,
    );
    // `prepack` (the build) may print before the JSON report: parse from the report's first line.
    const reportStart = output.search(/^\[/m);
    expect(reportStart, `no JSON report in:\n${output}`).to.be.at.least(0);
    [pack] = JSON.parse(output.slice(reportStart)) as PackReport[];

    consumerDirectory = join(workDirectory, 'consumer');
    mkdirSync(consumerDirectory);
    writeFileSync(
      join(consumerDirectory, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2),
    );
    writeFileSync(
      join(consumerDirectory, 'tsconfig.json'),
      JSON.stringify(consumerTsconfig, null, 2),
    );
    writeFileSync(join(consumerDirectory, 'index.ts'), consumerSource);
    run(
      npmCommand,
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(workDirectory, pack.filename),
      ],
      consumerDirectory,
    );
  });

  after(function () {
    if (workDirectory !== undefined) rmSync(workDirectory, { recursive: true, force: true });
  });

  it('contains the build, the declarations and their maps, README and LICENSE, and nothing else', function () {
    const paths = pack.files.map((file) => file.path).sort();
    expect(paths).to.include.members([
      'LICENSE',
      'README.md',
      'package.json',
      'dist/index.js',
      'dist/index.js.map',
      'dist/index.d.ts',
      'dist/index.d.ts.map',
      'dist/opentelemetry.js',
      'dist/opentelemetry.js.map',
      'dist/opentelemetry.d.ts',
      'dist/opentelemetry.d.ts.map',
    ]);
    const unexpected = paths.filter(
      (path) =>
        !/^dist\/.+\.(js|d\.ts)(\.map)?$/.test(path) &&
        !['LICENSE', 'README.md', 'package.json'].includes(path),
    );
    expect(unexpected, 'files outside dist/, README.md, LICENSE and package.json').to.deep.equal(
      [],
    );
    for (const folder of ['src/', 'test/', 'samples/', 'bench/', 'docs/', 'dist/test/']) {
      expect(paths.filter((path) => path.startsWith(folder))).to.deep.equal([]);
    }
  });

  it('declares reflect-metadata as its only runtime dependency and resolves through "exports"', function () {
    const installed = JSON.parse(
      readFileSync(join(consumerDirectory, 'node_modules', 'async-dag', 'package.json'), 'utf8'),
    ) as { dependencies?: Record<string, string>; exports: unknown };
    expect(Object.keys(installed.dependencies ?? {})).to.deep.equal(['reflect-metadata']);
    const resolved = run(
      process.execPath,
      ['-p', "require.resolve('async-dag') + ' ' + require('async-dag/package.json').name"],
      consumerDirectory,
    );
    expect(resolved.trim()).to.equal(
      `${join(consumerDirectory, 'node_modules', 'async-dag', 'dist', 'index.js')} async-dag`,
    );
  });

  it('compiles a decorated workflow with plain tsc and runs it with node', function () {
    run(process.execPath, [typescriptCompiler, '-p', '.'], consumerDirectory);
    const output = run(process.execPath, [join('out', 'index.js')], consumerDirectory);
    expect(output.trim().split('\n')).to.deep.equal([
      'fastTaskA started',
      'slowTaskA started',
      'fastTaskB started',
      'fastTaskA done',
      'slowTaskB started',
      'fastTaskB done',
      'slowTaskA done',
      'fastTaskC started',
      'fastTaskC done',
      'slowTaskB done',
      'endTask started',
      'endTask done',
      'results {"first":1,"end":4}',
      'roots fastTaskA slowTaskA fastTaskB',
      'failure true Broken: task "explode" failed: boom',
    ]);
  });

  it('can be imported from an ES module by name', function () {
    const output = run(
      process.execPath,
      [
        '--input-type=module',
        '--eval',
        "import { Workflow, Task, DependsOn, Param, Signal, WorkflowDefinitionError } from 'async-dag';" +
          'console.log([Workflow.invoke, Task, DependsOn, Param, Signal, WorkflowDefinitionError].map((x) => typeof x).join(" "));',
      ],
      consumerDirectory,
    );
    expect(output.trim()).to.equal('function function function function function function');
  });

  // Last: it installs the optional peer into the consumer.
  it('serves async-dag/opentelemetry, the only part that needs the optional peer @opentelemetry/api', function () {
    const missing = run(
      process.execPath,
      [
        '-e',
        "try { require('async-dag/opentelemetry'); console.log('loaded'); } catch (error) {" +
          ' console.log(error.code, error.message.includes("\'@opentelemetry/api\'")); }',
      ],
      consumerDirectory,
    );
    expect(missing.trim()).to.equal('MODULE_NOT_FOUND true');

    // The version this repository tests with, so the install is served from npm's cache.
    const { version } = JSON.parse(
      readFileSync(
        join(repositoryRoot, 'node_modules', '@opentelemetry', 'api', 'package.json'),
        'utf8',
      ),
    ) as { version: string };
    run(
      npmCommand,
      ['install', '--no-audit', '--no-fund', '--prefer-offline', `@opentelemetry/api@${version}`],
      consumerDirectory,
    );
    writeFileSync(join(consumerDirectory, 'traced.js'), tracedSource);
    expect(
      run(process.execPath, ['traced.js'], consumerDirectory).trim().split('\n'),
    ).to.deep.equal([
      'traced.first under traced succeeded',
      'traced.second under traced skipped',
      'traced under nothing succeeded async_dag.task.skipped async_dag.task.skipped',
    ]);
    const imported = run(
      process.execPath,
      [
        '--input-type=module',
        '--eval',
        "import { openTelemetry } from 'async-dag/opentelemetry'; console.log(typeof openTelemetry);",
      ],
      consumerDirectory,
    );
    expect(imported.trim()).to.equal('function');

    // Types through "exports" (node16) and, for TypeScript 5's CommonJS default, "typesVersions".
    writeFileSync(join(consumerDirectory, 'traced-types.ts'), tracedTypesSource);
    for (const [module, moduleResolution] of [
      ['node16', 'node16'],
      ['commonjs', 'node10'],
    ]) {
      const project = `tsconfig.traced-${moduleResolution}.json`;
      writeFileSync(
        join(consumerDirectory, project),
        JSON.stringify({
          compilerOptions: {
            ...consumerTsconfig.compilerOptions,
            module,
            moduleResolution,
            ignoreDeprecations: '6.0',
            noEmit: true,
          },
          files: ['traced-types.ts'],
        }),
      );
      run(process.execPath, [typescriptCompiler, '-p', project], consumerDirectory);
    }
  });
});
