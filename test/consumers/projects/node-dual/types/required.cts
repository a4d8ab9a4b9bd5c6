/**
 * A CommonJS module of a TypeScript program that also has ES modules (types/imported.mts): it gets
 * the "require" condition's declarations, the ES modules the "import" condition's. Both must be one
 * set of types, as the two builds are one library at run time.
 */
import { PARAM, type ExecutionResult, type WorkflowStream } from 'async-dag';

export const param: typeof PARAM = PARAM;
export const durationOf = (result: ExecutionResult): number => result.durationMs;
export const nameOf = (stream: WorkflowStream): string => stream.toJSON().workflow;
