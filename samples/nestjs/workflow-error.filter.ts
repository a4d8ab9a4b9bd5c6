import { ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { WorkflowExecutionError } from '../../src';

/**
 * Answers a request whose workflow run failed because a task threw an `HttpException` (a
 * `NotFoundException` from a repository, a `BadRequestException` from a check) with that exception,
 * as if the handler had thrown it. Without this filter Nest answers every run error with 500: a
 * `WorkflowExecutionError` is not an `HttpException`, and the task's is only its `cause`. Any other
 * run error still gets Nest's 500, whose body says nothing of it, and is logged.
 *
 * @example
 * ```ts
 * @Module({ providers: [{ provide: APP_FILTER, useClass: WorkflowErrorFilter }] })
 * export class CheckoutHttpModule {}
 * ```
 */
@Catch(WorkflowExecutionError)
export class WorkflowErrorFilter extends BaseExceptionFilter {
  override catch(error: WorkflowExecutionError, host: ArgumentsHost): void {
    super.catch(error.cause instanceof HttpException ? error.cause : error, host);
  }
}
