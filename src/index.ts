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
 * @module async-dag
 */
import 'reflect-metadata';

export {
  Task,
  DependsOn,
  Param,
  Signal,
  Context,
  type WorkflowMethodDecorator,
  type WorkflowParameterDecorator,
} from './decorators.js';
export { Workflow, type WorkflowClass } from './workflow.js';
export { skip } from './skip.js';
export { WorkflowStream } from './stream.js';
export { toMermaidGantt, formatTimeline, type TimelineOptions } from './render.js';
export { WorkflowDefinitionError, type DefinitionErrorCode } from './definition-errors.js';
export {
  WorkflowExecutionError,
  WorkflowAbortedError,
  TaskTimeoutError,
  WorkflowOptionsError,
  type TaskFailure,
} from './errors.js';
export { ExecutionResult, TaskResultError } from './result.js';
export {
  PARAM,
  SIGNAL,
  CONTEXT,
  type ParamToken,
  type SignalToken,
  type ContextToken,
  type InputToken,
} from './tokens.js';
export {
  buildDag,
  DagBuilder,
  DagNode,
  type DagOptions,
  type NodeOptions,
  type NodeArgument,
  type NodeArguments,
  type DagTasks,
  type DagInvokeOptions,
} from './builder.js';
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
  TaskProgressEvent,
  TaskSkipEvent,
  Settled,
  SettledSuccess,
  SettledFailure,
  SettledSkip,
  WorkflowEventBase,
  WorkflowEvent,
  WorkflowInterceptor,
  RunInterceptorInfo,
  TaskInterceptorInfo,
  TaskContext,
  TaskStatus,
  TaskTrace,
  TaskNode,
  WorkflowGraph,
} from './types.js';
