/** An ES module that hands what async-dag's ES-module build made to a CommonJS module. */
import { buildDag, PARAM } from 'async-dag';
import { durationOf, nameOf, param } from './required.cjs';

const tm = buildDag<number>({ name: 'mixed' });
tm.addNode({ name: 'double' }, (n: number) => n * 2, tm.parameterNode);

export const sameToken: typeof PARAM = param;
export const ms: number = durationOf(await tm.invoke(1));
export const name: string = nameOf(tm.stream(1));
