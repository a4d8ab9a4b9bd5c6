/**
 * Generated workflows of N tasks, for measuring what type-checking a big workflow costs: a class
 * (`workflowClassSource`) and a builder script (`builderSource`), each using every typed part of
 * the API on every task. `test/type-scale.spec.ts` checks their instantiation counts;
 * `test/support/type-scale-report.ts` times them with tsc.
 */

/** The three value types the generated tasks return, in turn. */
const KINDS = ['number', 'string', 'Item'] as const;
type Kind = (typeof KINDS)[number];

const kindOf = (i: number): Kind => KINDS[i % 3];

/** The lines that declare `Item` in a generated module, after its import. */
const ITEM_INTERFACE = [
  '',
  'export interface Item {',
  '  id: number;',
  '  label: string;',
  '}',
  '',
];

/** An expression of type `number` from a value `name` of kind `kind`. */
function numeric(name: string, kind: Kind): string {
  return kind === 'number' ? name : kind === 'string' ? `${name}.length` : `${name}.id`;
}

/** A return expression of kind `kind` from the numeric expression `sum`. */
function valueOf(kind: Kind, sum: string, label: string): string {
  return kind === 'number'
    ? sum
    : kind === 'string'
      ? `String(${sum})`
      : `{ id: ${sum}, label: '${label}' }`;
}

/** A fallback's value of kind `kind`. */
function fallbackOf(kind: Kind): string {
  return kind === 'number' ? '0' : kind === 'string' ? "''" : "({ id: 0, label: '' })";
}

/** The 1 to 3 earlier tasks task `i` depends on (none for task 0). */
export function dependenciesOf(i: number): number[] {
  if (i === 0) return [];
  const deps = new Set([i - 1]);
  if (i >= 4 && i % 2 === 0) deps.add(Math.floor(i / 2));
  if (i >= 6 && i % 3 === 0) deps.add(i - 5);
  return [...deps];
}

/**
 * A workflow class `name` of `n` tasks `t0`…: each depends on 1–3 earlier ones through
 * `@DependsOn<Class>(…)` (typed names), some also on `PARAM` or `SIGNAL`, some with a fallback;
 * then a function that invokes it with `targets`, `overrides` and typed hooks, reads every task
 * with `result.get`, and streams it, narrowing each event on `event.task` for every task.
 * `from` is the module the package is imported from.
 */
export function workflowClassSource(n: number, from: string, name = `Flow${n}`): string {
  const lines: string[] = [
    `import { DependsOn, PARAM, SIGNAL, Task, Workflow, type WorkflowHooks } from '${from}';`,
    ...ITEM_INTERFACE,
    `export class ${name} {`,
  ];
  for (let i = 0; i < n; i++) {
    const kind = kindOf(i);
    const inputs: string[] = [];
    const params: string[] = [];
    const sums: string[] = [];
    if (i === 0 || i % 7 === 3) {
      inputs.push('PARAM');
      params.push('n: number');
      sums.push('n');
    }
    for (const d of dependenciesOf(i)) {
      inputs.push(`'t${d}'`);
      params.push(`v${d}: ${kindOf(d)}`);
      sums.push(numeric(`v${d}`, kindOf(d)));
    }
    if (i % 10 === 5) {
      inputs.push('SIGNAL');
      params.push('signal: AbortSignal');
      sums.push('(signal.aborted ? 1 : 0)');
    }
    const options = i % 5 === 2 ? `{ retries: 1, fallback: () => ${fallbackOf(kind)} }` : '';
    const typeArgument = inputs.some((input) => input.startsWith("'")) ? `<${name}>` : '';
    const async = i % 4 === 0 ? 'async ' : '';
    lines.push(
      `  @Task(${options})`,
      `  @DependsOn${typeArgument}(${inputs.join(', ')})`,
      `  ${async}t${i}(${params.join(', ')}) {`,
      `    return ${valueOf(kind, sums.join(' + '), `t${i}`)};`,
      '  }',
    );
  }
  lines.push('}', '');

  const last = n - 1;
  const half = Math.floor(n / 2);
  const overridden = [1, 2, 3, half, last].filter((i, k, all) => all.indexOf(i) === k && i < n);
  lines.push(
    `export async function run${name}(): Promise<number> {`,
    `  const flow = new ${name}();`,
    '  const seen: string[] = [];',
    `  const hooks: WorkflowHooks<${name}> = {`,
    '    onTaskStart: ({ task, attempt }) => void seen.push(`${task}#${attempt}`),',
    '    onTaskSkip: ({ task, reason }) => void seen.push(task + reason),',
    '    onTaskSuccess: (event) => {',
    `      if (event.task === 't${last}') seen.push(String(event.value));`,
    `      if (event.task === 't${half}') seen.push(String(event.value));`,
    '    },',
    '  };',
    '  const result = await Workflow.invoke(flow, 1, {',
    `    targets: ['t${last}', 't${half}'],`,
    '    overrides: {',
  );
  for (const i of overridden) {
    const deps = dependenciesOf(i);
    const params = [
      ...(i === 0 || i % 7 === 3 ? ['n'] : []),
      ...deps.map((d) => `v${d}`),
      ...(i % 10 === 5 ? ['signal'] : []),
    ];
    const sums = [
      ...(i === 0 || i % 7 === 3 ? ['n'] : []),
      ...deps.map((d) => numeric(`v${d}`, kindOf(d))),
      ...(i % 10 === 5 ? ['(signal.aborted ? 1 : 0)'] : []),
    ];
    lines.push(
      `      t${i}: (${params.join(', ')}) => (${valueOf(kindOf(i), sums.join(' + '), 'o')}),`,
    );
  }
  lines.push('    },', '    hooks,', '  });', '  let total = 0;');
  for (let i = 0; i < n; i++) {
    lines.push(`  const r${i}: ${kindOf(i)} = result.get('t${i}');`);
    lines.push(`  total += ${numeric(`r${i}`, kindOf(i))};`);
  }
  lines.push(
    '  for await (const event of Workflow.stream(flow, 1, { hooks })) {',
    "    if (event.type !== 'taskSuccess') continue;",
    '    switch (event.task) {',
  );
  for (let i = 0; i < n; i++) {
    lines.push(`      case 't${i}': {`);
    lines.push(`        const value: ${kindOf(i)} = event.value;`);
    lines.push(`        total += ${numeric('value', kindOf(i))};`);
    lines.push('        break;', '      }');
  }
  lines.push('    }', '  }', '  return total;', '}', '');
  return lines.join('\n');
}

/**
 * A builder script of `n` nodes `n0`…, each taking 1–3 earlier nodes and, in turn: a typed inline
 * function; options with a `fallback` (and a name) and a typed function; options and an inline
 * function left without types (typed by its arguments); such a function without options; some
 * also take `tm.parameterNode`, `SIGNAL` or a constant, and some run `when: 'noneFailed'`. Then
 * `extractResult` on the last node. `from` is the module the package is imported from.
 */
export function builderSource(n: number, from: string, name = `dag${n}`): string {
  const lines: string[] = [
    `import { buildDag, SIGNAL } from '${from}';`,
    ...ITEM_INTERFACE,
    `export async function ${name}(): Promise<number> {`,
    `  const tm = buildDag<number>({ name: '${name}' });`,
  ];
  for (let i = 0; i < n; i++) {
    const kind = kindOf(i);
    const variant = i % 4;
    const noneFailed = i % 9 === 4 && variant < 2;
    const args: string[] = [];
    const params: { name: string; type: string }[] = [];
    const sums: string[] = [];
    if (i === 0 || i % 7 === 3) {
      args.push('tm.parameterNode');
      params.push({ name: 'p', type: 'number' });
      sums.push('p');
    }
    for (const d of dependenciesOf(i)) {
      args.push(`n${d}`);
      const type = kindOf(d);
      params.push({ name: `v${d}`, type: noneFailed ? `${type} | undefined` : type });
      sums.push(numeric(noneFailed ? `v${d}!` : `v${d}`, type));
    }
    if (i % 10 === 5) {
      args.push('SIGNAL');
      params.push({ name: 'signal', type: 'AbortSignal' });
      sums.push('(signal.aborted ? 1 : 0)');
    }
    if (i % 6 === 1) {
      args.push(`'k${i}'`);
      params.push({ name: 'k', type: 'string' });
      sums.push('k.length');
    }
    if (i % 8 === 2) {
      args.push(String(i));
      params.push({ name: 'c', type: 'number' });
      sums.push('c');
    }
    const typed = variant < 2;
    const parameterList = params.map((p) => (typed ? `${p.name}: ${p.type}` : p.name)).join(', ');
    const fn = `(${parameterList}) => (${valueOf(kind, sums.join(' + '), `n${i}`)})`;
    const options =
      variant === 1
        ? `{ name: 'node${i}', retries: 1, fallback: () => ${fallbackOf(kind)}${noneFailed ? ", when: 'noneFailed'" : ''} }, `
        : variant === 2
          ? '{ timeout: 1_000 }, '
          : noneFailed
            ? "{ when: 'noneFailed' }, "
            : '';
    lines.push(`  const n${i} = tm.addNode(${options}${fn}, ${args.join(', ')});`);
  }
  lines.push(
    '  const result = await tm.invoke(1);',
    `  const last: ${kindOf(n - 1)} = n${n - 1}.extractResult(result);`,
    `  return ${numeric('last', kindOf(n - 1))};`,
    '}',
    '',
  );
  return lines.join('\n');
}
