/**
 * What type-checking a big workflow costs: a class of N typed tasks (typed `@DependsOn` names,
 * `result.get` of every task, `targets`, `overrides`, typed hooks, a stream narrowed on every
 * task) and a builder script of N chained `addNode` calls must compile without errors, and the
 * type instantiations they take must grow linearly with N. Counted by the compiler, not timed:
 * a type that costs O(N) per task (the `keyof` of a mapped type recomputed for each task name made
 * a 400-task class take 580,000 instantiations, six times what it takes now) shows as a ratio
 * near 3 from N = 100 to N = 200, where linear growth gives 2.
 */
import { expect } from 'chai';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';
import { builderSource, workflowClassSource } from './support/type-scale';

const root = resolve(__dirname, '..');
const folder = join(root, 'test', '.type-scale');
const from = '../../src/index.js';

/** The generated files, by path. */
const files = new Map<string, string>([
  // Checked first: what every size shares (the library's declarations, lib.d.ts) is counted here.
  [join(folder, 'warm-up-flow.ts'), workflowClassSource(3, from)],
  [join(folder, 'warm-up-dag.ts'), builderSource(3, from)],
  [join(folder, 'flow100.ts'), workflowClassSource(100, from)],
  [join(folder, 'flow200.ts'), workflowClassSource(200, from)],
  [join(folder, 'dag100.ts'), builderSource(100, from)],
  [join(folder, 'dag200.ts'), builderSource(200, from)],
]);

/** The program of the generated files. */
function programOf(experimentalDecorators: boolean): ts.Program {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    experimentalDecorators,
    skipLibCheck: true,
    noEmit: true,
  };
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, version, ...rest) => {
    const text = files.get(name);
    return text === undefined
      ? getSourceFile.call(host, name, version, ...rest)
      : ts.createSourceFile(name, text, version, true);
  };
  return ts.createProgram([...files.keys()], options, host);
}

/** The instantiations and diagnostics of checking each file, in turn, with one checker. */
function check(program: ts.Program): Map<string, { count: number; errors: string[] }> {
  const checker = program.getTypeChecker() as ts.TypeChecker & {
    getInstantiationCount(): number;
  };
  const counts = new Map<string, { count: number; errors: string[] }>();
  let before = checker.getInstantiationCount();
  for (const name of files.keys()) {
    const diagnostics = program.getSemanticDiagnostics(program.getSourceFile(name));
    const after = checker.getInstantiationCount();
    counts.set(name.slice(folder.length + 1, -3), {
      count: after - before,
      errors: diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')),
    });
    before = after;
  }
  return counts;
}

describe('type-checking cost at scale', function () {
  // Parsing the library and lib.d.ts, then checking about 1,300 generated lines: a few seconds.
  this.timeout(60_000);

  it('a 200-task class and a 200-node builder grow linearly in instantiations', () => {
    const counts = check(programOf(true));
    for (const [name, { errors }] of counts) expect(errors, name).to.deep.equal([]);
    const flow100 = counts.get('flow100')!.count;
    const flow200 = counts.get('flow200')!.count;
    const dag100 = counts.get('dag100')!.count;
    const dag200 = counts.get('dag200')!.count;
    const figures = { flow100, flow200, dag100, dag200 };
    // Measured: about 26,000 / 52,000 (class) and 23,000 / 45,000 (builder); quadratic growth
    // took the class to 57,000 / 170,000.
    expect(flow200 / flow100, JSON.stringify(figures)).to.be.below(2.4);
    expect(dag200 / dag100, JSON.stringify(figures)).to.be.below(2.4);
    expect(flow200, JSON.stringify(figures)).to.be.below(100_000);
    expect(dag200, JSON.stringify(figures)).to.be.below(100_000);
  });

  it("narrows a stream's events on task by lookup: plain object types, task first", () => {
    // TypeScript narrows a union of over ten object types on a property by a map from its values
    // to the members, when the first member's first property of a literal type is that property;
    // an intersection (`WorkflowEventBase<K> & {…}`) is no object type, so each `case` of a
    // `switch (event.task)` went through every task's event (10 s for 1,000 tasks).
    const program = programOf(true);
    const checker = program.getTypeChecker();
    const file = program.getSourceFile(join(folder, 'flow200.ts'))!;
    let event: ts.Type | undefined;
    const visit = (node: ts.Node): void => {
      if (ts.isSwitchStatement(node) && ts.isPropertyAccessExpression(node.expression)) {
        event = checker.getTypeAtLocation(node.expression.expression);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
    const members = event!.isUnion() ? event!.types : [event!];
    expect(members).to.have.length(200);
    for (const member of members) {
      expect(member.flags & ts.TypeFlags.Object, checker.typeToString(member)).to.not.equal(0);
      expect(checker.getPropertiesOfType(member)[0].name).to.equal('task');
    }
  });
});
