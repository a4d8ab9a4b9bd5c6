/**
 * async-dag: run a DAG of async tasks, written as a decorated class, with maximal parallelism.
 *
 * @example
 * ```ts
 * import { Task, DependsOn, Param, Workflow } from 'async-dag';
 *
 * class Checkout {
 *   @Task() user(@Param() req: { userId: string }) { return users.find(req.userId); }
 *   @Task() @DependsOn('user') cart(user: User) { return carts.of(user); }
 * }
 * const result = await Workflow.invoke(new Checkout(), { userId: '42' });
 * result.get('cart');
 * ```
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

export {
  Task,
  DependsOn,
  Param,
  Signal,
  type WorkflowMethodDecorator,
  type WorkflowParameterDecorator,
} from './decorators';
export { Workflow, type WorkflowClass } from './workflow';
export { ExecutionResult } from './result';
export { toMermaidGantt, formatTimeline, type TimelineOptions } from './render';
export {
  WorkflowDefinitionError,
  WorkflowExecutionError,
  WorkflowAbortedError,
  TaskTimeoutError,
  WorkflowOptionsError,
  TaskResultError,
  type DefinitionErrorCode,
  type TaskFailure,
} from './errors';
export type {
  AnyFunction,
  TaskName,
  TaskResult,
  TaskOptions,
  InvokeOptions,
  WorkflowHooks,
  TaskStartEvent,
  TaskSuccessEvent,
  TaskFailureEvent,
  TaskRetryEvent,
  TaskStatus,
  TaskTrace,
  TaskNode,
  WorkflowGraph,
} from './types';
