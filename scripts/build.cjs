/**
 * `npm run build` (and `prepack`): the CommonJS and the ES-module halves of the package, each by
 * plain `tsc`, into dist/cjs and dist/esm; each half gets a package.json naming its module format,
 * since the root package.json has no "type", and repeating the root's "sideEffects" for its own
 * files (bundlers read that field from the nearest package.json, so without it every file of a
 * half would count as having side effects). The declarations are the CommonJS half's: each entry
 * point of the ES-module half has a `.d.ts` (an ES module) that re-exports its CommonJS twin, so
 * that a TypeScript program with both kinds of module (a `.cts` beside `.mts` files, or an ES-module
 * library's types in a CommonJS project) sees one `ExecutionResult`, one `WorkflowStream`, one of
 * each class — two declarations of a class with `#private` members are two unrelated types —
 * as the two builds are one library at run time (src/shared.ts). Then it checks what `tsc` cannot: that every relative
 * import of the ES-module half names a file (Node.js resolves no extensionless specifier there),
 * that neither half imports a Node.js built-in (the package runs in browsers, Deno and Bun: Node's
 * extras are reached through process.getBuiltinModule, see src/runtime.ts), and that "exports"
 * matches scripts/entry-points.cjs.
 */
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { builtinModules } = require('node:module');
const { join, relative } = require('node:path');
const { ENTRY_POINTS, outdatedFiles } = require('./entry-points.cjs');

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const tsc = require.resolve('typescript/bin/tsc');

const outdated = outdatedFiles();
if (outdated.length > 0) {
  fail(
    `${outdated.join(' and ')} disagree with scripts/entry-points.cjs: run npm run entry-points`,
  );
}

// Each half's package.json repeats the root's sideEffects for its own files (checked first).
const { sideEffects } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (!Array.isArray(sideEffects) || !sideEffects.every((path) => path.startsWith('./dist/*/'))) {
  fail('package.json sideEffects must list paths under ./dist/*/');
}
const halfSideEffects = sideEffects.map((path) => `./${path.slice('./dist/*/'.length)}`);

rmSync(dist, { recursive: true, force: true });
// One `tsc --build` compiles both: it parses the libraries once, and is faster than two `tsc -p`.
execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json', 'tsconfig.build-esm.json'], {
  cwd: root,
  stdio: 'inherit',
});
for (const file of readdirSync(dist)) {
  if (file.endsWith('.tsbuildinfo')) rmSync(join(dist, file));
}
for (const [half, type] of [
  ['cjs', 'commonjs'],
  ['esm', 'module'],
]) {
  const marker = { type, sideEffects: halfSideEffects };
  writeFileSync(join(dist, half, 'package.json'), `${JSON.stringify(marker, null, 2)}\n`);
}
// tsconfig.build-esm.json emits no declarations: the entry points' re-export the CommonJS ones.
for (const module of Object.values(ENTRY_POINTS)) {
  writeFileSync(
    join(dist, 'esm', `${module}.d.ts`),
    `// The CommonJS half's declarations: one set of types for both builds (scripts/build.cjs).\n` +
      `export * from '../cjs/${module}.js';\n`,
  );
}

const extensionless = [];
for (const file of readdirSync(join(dist, 'esm'), { recursive: true })) {
  if (!file.endsWith('.js') && !file.endsWith('.d.ts')) continue;
  const text = readFileSync(join(dist, 'esm', file), 'utf8');
  for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]*)['"]/g)) {
    if (!specifier.endsWith('.js')) extensionless.push(`dist/esm/${file}: '${specifier}'`);
  }
}
// A Node.js built-in imported or required anywhere in the build (tsc keeps the specifiers).
const builtIns = [];
for (const half of ['cjs', 'esm']) {
  for (const file of readdirSync(join(dist, half), { recursive: true })) {
    if (!file.endsWith('.js')) continue;
    const text = readFileSync(join(dist, half, file), 'utf8');
    const imports = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"]((?:node:)?[\w/]+)['"]/g;
    for (const [, specifier] of text.matchAll(imports)) {
      if (specifier.startsWith('node:') || builtinModules.includes(specifier)) {
        builtIns.push(`dist/${half}/${file}: '${specifier}'`);
      }
    }
  }
}
if (builtIns.length > 0) {
  fail(
    `src/ must import no Node.js built-in (use process.getBuiltinModule, as src/runtime.ts does):\n  ${builtIns.join('\n  ')}`,
  );
}
if (extensionless.length > 0) {
  fail(
    `relative imports in src/ must end in ".js" for the ES-module build:\n  ${extensionless.join('\n  ')}`,
  );
}

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

console.log(`build: ${relative(root, join(dist, 'cjs'))} and ${relative(root, join(dist, 'esm'))}`);
