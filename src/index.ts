/**
 * async-dag: run a DAG of async tasks with maximal parallelism — written as a decorated class
 * (either decorator mode) or built in code with `buildDag` — with control flow (`skip`, `when`
 * rules, fallbacks, retry policy, priorities), an event stream, interceptors, and pictures of a run.
 * `async-dag/opentelemetry` adds tracing.
 *
 * @example
 * ```ts
 * import { Task, DependsOn, PARAM, Workflow } from 'async-dag';
 *
 * class Checkout {
 *   @Task() @DependsOn(PARAM) user(req: { userId: string }) { return users.find(req.userId); }
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
export { Workflow, type ClassWithHiddenConstructor, type WorkflowClass } from './workflow.js';
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
  type DependencyNode,
  type WhenRuleName,
  type NodeArgument,
  type NodeArguments,
  type DagTasks,
  type DagInvokeOptions,
} from './builder.js';
export type {
  AnyFunction,
  TaskName,
  TaskResult,
  TaskValues,
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
