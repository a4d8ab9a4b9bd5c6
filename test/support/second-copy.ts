/**
 * A second, independent copy of the library in this process: `src/` loaded again with a fresh
 * module cache, as a CommonJS and an ES-module build of the package are two copies side by side.
 */
import path from 'node:path';
import type * as Library from '../../src';

/** `src/` loaded a second time: every module a new instance, as in a second build. */
export function loadSecondCopy(): typeof Library {
  const source = path.resolve(__dirname, '..', '..', 'src') + path.sep;
  const ours = () => Object.keys(require.cache).filter((key) => key.startsWith(source));
  const saved = new Map(ours().map((key) => [key, require.cache[key]]));
  for (const key of saved.keys()) delete require.cache[key];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh load, on purpose
    return require('../../src') as typeof Library;
  } finally {
    for (const key of ours()) delete require.cache[key];
    for (const [key, loaded] of saved) require.cache[key] = loaded;
    // Nor kept as this module's child: a copy lives as long as its caller holds it.
    module.children = module.children.filter((child) => !child.id.startsWith(source));
  }
}
