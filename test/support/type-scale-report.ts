/**
 * Times `tsc --noEmit --extendedDiagnostics` on the generated workflows of `type-scale.ts`, as a
 * user of the package compiles them (against the built declarations: run `npm run build` first),
 * and prints a Markdown table: check time, instantiations, types and memory per N.
 *
 *   node -r ts-node/register/transpile-only test/support/type-scale-report.ts [N…]
 *
 * `TSC=ts50,ts59,ts60,ts70` picks compilers from test/consumers/node_modules (`typescript`, the
 * repository's own, by default); `CASES=legacy,standard,builder` picks the workflows.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builderSource, workflowClassSource } from './type-scale';

const root = resolve(__dirname, '../..');
const sizes = process.argv.slice(2).map(Number);
const compilers = (process.env.TSC ?? 'typescript').split(',');
const cases = (process.env.CASES ?? 'legacy,standard,builder').split(',');

function tscOf(name: string): string {
  return name === 'typescript'
    ? join(root, 'node_modules/typescript/bin/tsc')
    : join(root, 'test/consumers/node_modules', name, 'bin/tsc');
}

function measure(tsc: string, kind: string, n: number): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'async-dag-type-scale-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules/async-dag'), 'dir');
    const source =
      kind === 'builder' ? builderSource(n, 'async-dag') : workflowClassSource(n, 'async-dag');
    writeFileSync(join(dir, 'flow.ts'), source);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'node16',
          moduleResolution: 'node16',
          lib: ['ES2022'],
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
          strict: true,
          experimentalDecorators: kind === 'legacy',
          skipLibCheck: true,
          noEmit: true,
        },
        files: ['flow.ts'],
      }),
    );
    let output: string;
    try {
      output = execFileSync(process.execPath, [tsc, '-p', dir, '--extendedDiagnostics'], {
        encoding: 'utf8',
      });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
      const errors = output.split('\n').filter((line) => line.includes('error TS'));
      return { error: errors.slice(0, 3).join(' / ') || output.slice(0, 300) };
    }
    const figures: Record<string, string> = {};
    for (const line of output.split('\n')) {
      const match = /^([A-Za-z ]+):\s+(\S+)/.exec(line);
      if (match) figures[match[1].trim()] = match[2];
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('| compiler | workflow | N | check time | instantiations | types | memory |');
console.log('|---|---|---|---|---|---|---|');
for (const compiler of compilers) {
  for (const kind of cases) {
    for (const n of sizes) {
      const f = measure(tscOf(compiler), kind, n);
      const cells =
        f.error !== undefined
          ? [f.error, '', '', '']
          : [f['Check time'], f['Instantiations'], f['Types'], f['Memory used']];
      console.log(`| ${compiler} | ${kind} | ${n} | ${cells.join(' | ')} |`);
    }
  }
}
