/**
 * The shape of the house: no module of src/ loads, at run time, a module that loads it back (an
 * import cycle makes the load order decide what is undefined at import time). Type-only imports
 * are erased by the compiler and do not count. And CONTRIBUTING.md's map of src/ names every
 * module there, and nothing else.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SOURCE = path.resolve(__dirname, '..', 'src');
const CONTRIBUTING = path.resolve(__dirname, '..', 'CONTRIBUTING.md');

/** The src/ modules each module loads at run time, as file names. */
function runtimeImports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(SOURCE).filter((name) => name.endsWith('.ts'))) {
    const source = ts.createSourceFile(
      file,
      readFileSync(path.join(SOURCE, file), 'utf8'),
      ts.ScriptTarget.ES2022,
      true,
    );
    const imports: string[] = [];
    for (const statement of source.statements) {
      let specifier: string | undefined;
      if (ts.isImportDeclaration(statement)) {
        const clause = statement.importClause;
        const bindings = clause?.namedBindings;
        const onlyTypes =
          clause?.isTypeOnly === true ||
          (clause?.name === undefined &&
            bindings !== undefined &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((element) => element.isTypeOnly));
        if (!onlyTypes) specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
      } else if (
        ts.isExportDeclaration(statement) &&
        statement.moduleSpecifier !== undefined &&
        !statement.isTypeOnly
      ) {
        specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
      }
      if (specifier?.startsWith('./')) imports.push(specifier.slice(2).replace(/\.js$/, '.ts'));
    }
    graph.set(file, imports);
  }
  return graph;
}

/** Every cycle of `graph`, as `a.ts -> b.ts -> a.ts` (iterative depth-first search). */
function cyclesOf(graph: Map<string, string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  for (const root of graph.keys()) {
    if (state.has(root)) continue;
    const path: { file: string; next: number }[] = [{ file: root, next: 0 }];
    state.set(root, 'open');
    while (path.length > 0) {
      const top = path[path.length - 1];
      const imports = graph.get(top.file) ?? [];
      if (top.next === imports.length) {
        state.set(top.file, 'done');
        path.pop();
        continue;
      }
      const next = imports[top.next++];
      if (state.get(next) === 'open') {
        const from = path.findIndex((entry) => entry.file === next);
        cycles.push([...path.slice(from).map((entry) => entry.file), next].join(' -> '));
      } else if (!state.has(next)) {
        state.set(next, 'open');
        path.push({ file: next, next: 0 });
      }
    }
  }
  return cycles;
}

describe('src/ module graph', () => {
  it('has no runtime import cycle', () => {
    const graph = runtimeImports();
    expect(graph.size).to.be.greaterThan(20);
    expect(cyclesOf(graph)).to.deep.equal([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(cyclesOf(graph)).to.deep.equal(['a.ts -> b.ts -> c.ts -> a.ts']);
  });
});

/**
 * The modules CONTRIBUTING.md describes: the file named at the start of each list item
 * (`` - `scheduler.ts` — … ``) of its section on the source.
 */
function describedModules(markdown: string): string[] {
  const section = markdown.split(/^### The source, one concept per file$/m)[1] ?? '';
  const end = section.search(/^## /m);
  return [...(end === -1 ? section : section.slice(0, end)).matchAll(/^- `([\w-]+\.ts)` — /gm)].map(
    (match) => match[1],
  );
}

describe("CONTRIBUTING.md's map of src/", () => {
  it('describes every module of src/ once, and no module that does not exist', () => {
    const described = describedModules(readFileSync(CONTRIBUTING, 'utf8'));
    const modules = readdirSync(SOURCE).filter((name) => name.endsWith('.ts'));
    expect(described.length).to.be.greaterThan(20);
    expect([...described].sort()).to.deep.equal([...modules].sort());
  });

  it('reads the modules a map names (the check can fail)', () => {
    const markdown = [
      '### The source, one concept per file',
      '- `a.ts` — one',
      'Text between.',
      '- `b-c.ts` — two',
      '## Rules',
      '- `d.ts` — after the section',
    ].join('\n');
    expect(describedModules(markdown)).to.deep.equal(['a.ts', 'b-c.ts']);
  });
});
