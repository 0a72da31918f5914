import type { Context } from 'aws-lambda';
import type { TemplateFunction } from './serviceDefinition.ts';

/** The serializable part of a Lambda context (what a worker thread receives). */
export interface ContextFields {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
}

export function contextFields(fn: Pick<TemplateFunction, 'name' | 'memoryMb'>, requestId: string): ContextFields {
  return {
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${fn.name}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
  };
}

/** The context Lambda passes a handler: its time left counts down to `deadline` (epoch ms). */
export function lambdaContext(fields: ContextFields, deadline: number): Context {
  return {
    ...fields,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A function invocation that failed as Lambda reports it: `{errorType, errorMessage}`. */
export class FunctionError extends Error {
  readonly errorType: string;
  readonly trace: readonly string[];

  constructor(errorType: string, message: string, trace: readonly string[] = [], options?: ErrorOptions) {
    super(message, options);
    this.name = 'FunctionError';
    this.errorType = errorType;
    this.trace = trace;
  }

  static from(error: unknown): FunctionError {
    if (error instanceof FunctionError) return error;
    const failure = error instanceof Error ? error : new Error(String(error));
    return new FunctionError(failure.name, failure.message, (failure.stack ?? '').split('\n'), { cause: error });
  }

  /** The JSON Lambda (and `sam local invoke`) prints for a failed invocation. */
  toJSON(): { errorType: string; errorMessage: string; trace: readonly string[] } {
    return { errorType: this.errorType, errorMessage: this.message, trace: this.trace };
  }
}

/** The function ran past its template Timeout. */
export function timeoutError(fn: Pick<TemplateFunction, 'timeoutSeconds'>): FunctionError {
  return new FunctionError('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`);
}
