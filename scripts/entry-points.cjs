/**
 * The package's entry points, in one list: adding an entry point is one line in ENTRY_POINTS,
 * then `npm run entry-points` to write it into package.json ("exports") and typedoc.json
 * ("entryPoints"). `npm run build` fails while those two files disagree with the list.
 *
 *   node scripts/entry-points.cjs          prints the "exports" the list gives
 *   node scripts/entry-points.cjs --write  writes them into package.json and typedoc.json
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/** Export subpath → module of src/, without extension. */
const ENTRY_POINTS = {
  '.': 'index',
  './opentelemetry': 'opentelemetry',
};

/** Each entry point as the two builds publish it; `types` first in each condition, as TS wants. */
function packageExports() {
  const exports = {};
  for (const [subpath, module] of Object.entries(ENTRY_POINTS)) {
    exports[subpath] = {
      import: { types: `./dist/esm/${module}.d.ts`, default: `./dist/esm/${module}.js` },
      require: { types: `./dist/cjs/${module}.d.ts`, default: `./dist/cjs/${module}.js` },
    };
  }
  exports['./package.json'] = './package.json';
  return exports;
}

function typedocEntryPoints() {
  return Object.values(ENTRY_POINTS).map((module) => `src/${module}.ts`);
}

const root = join(__dirname, '..');
const readJson = (file) => JSON.parse(readFileSync(join(root, file), 'utf8'));

/** The files that disagree with ENTRY_POINTS, by name. */
function outdatedFiles() {
  const outdated = [];
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(readJson('package.json').exports, packageExports())) outdated.push('package.json');
  if (!same(readJson('typedoc.json').entryPoints, typedocEntryPoints()))
    outdated.push('typedoc.json');
  return outdated;
}

function write() {
  const pkg = readJson('package.json');
  pkg.exports = packageExports();
  writeFileSync(join(root, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const typedoc = readJson('typedoc.json');
  typedoc.entryPoints = typedocEntryPoints();
  writeFileSync(join(root, 'typedoc.json'), `${JSON.stringify(typedoc, null, 2)}\n`);
}

module.exports = { ENTRY_POINTS, packageExports, outdatedFiles };

if (require.main === module) {
  if (process.argv.includes('--write')) write();
  else console.log(JSON.stringify(packageExports(), null, 2));
}
