/**
 * One process that loads the package twice, as an application mixing require() and import does:
 * the CommonJS copy and the ES-module copy. What one copy records, and the errors it throws, must
 * be understood by the other.
 * Decorators are applied by hand, as compiled code calls them, so this runs in plain Node.js.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cjs = require('async-dag');
const esm = await import('async-dag');
const lines = [];

lines.push(`copies ${cjs.Workflow === esm.Workflow ? 'one' : 'two'}`);
lines.push(
  `resolved ${require.resolve('async-dag').includes('/dist/cjs/')} ${import.meta.resolve('async-dag').includes('/dist/esm/')}`,
);
lines.push(
  `tokens shared ${cjs.PARAM === esm.PARAM && cjs.SIGNAL === esm.SIGNAL && cjs.CONTEXT === esm.CONTEXT}`,
);

/** A standard decorator call, as TypeScript 5.0 emits it (no context.metadata). */
const standard = (decorator, method, name) =>
  decorator(method, { kind: 'method', name, static: false, private: false, metadata: undefined });

// Standard decorators of the ES-module copy, a run by the CommonJS copy.
class Standard {
  double(n) {
    return n * 2;
  }
  later() {
    esm.skip('nothing to do');
  }
}
standard(esm.Task(), Standard.prototype.double, 'double');
standard(esm.DependsOn(esm.PARAM), Standard.prototype.double, 'double');
standard(esm.Task(), Standard.prototype.later, 'later');
const fromStandard = await cjs.Workflow.invoke(new Standard(), 21);
lines.push(`standard ${fromStandard.get('double')} ${fromStandard.trace[1].status}`);

// Legacy decorators of the CommonJS copy, a run by the ES-module copy.
class Legacy {
  a() {
    return 'a';
  }
  b(a, param) {
    return `${a}b${param}`;
  }
}
const descriptor = (name) => Object.getOwnPropertyDescriptor(Legacy.prototype, name);
Reflect.decorate([cjs.Task()], Legacy.prototype, 'a', descriptor('a'));
Reflect.decorate(
  [cjs.Task(), cjs.DependsOn('a', cjs.PARAM)],
  Legacy.prototype,
  'b',
  descriptor('b'),
);
lines.push(`legacy ${(await esm.Workflow.invoke(new Legacy(), '!')).get('b')}`);

// An error thrown by one copy is an instance of the other copy's class.
class Broken {
  explode() {
    throw new Error('boom');
  }
}
standard(esm.Task(), Broken.prototype.explode, 'explode');
const failure = await cjs.Workflow.invoke(new Broken()).catch((error) => error);
let definition;
try {
  esm.Workflow.validate(class Empty {});
} catch (error) {
  definition = error;
}
lines.push(
  `errors ${failure instanceof esm.WorkflowExecutionError} ${definition instanceof cjs.WorkflowDefinitionError}`,
);

// A builder of one copy, given to the other's Workflow.invoke by mistake, is named as a builder.
const builder = esm.buildDag();
builder.addNode({ name: 'a' }, () => 1);
const misuse = await cjs.Workflow.invoke(builder).catch((error) => error);
lines.push(
  `builders ${builder instanceof cjs.DagBuilder} ${misuse instanceof TypeError && misuse.message.includes('buildDag() builder')}`,
);

console.log(lines.join('\n'));
