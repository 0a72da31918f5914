import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { contextFields, FunctionError, lambdaContext, timeoutError } from './lambdaContext.ts';
import type { TemplateFunction } from './serviceDefinition.ts';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** One function loaded into this process: warm after the first import, like a Lambda container. */
export interface LoadedFunction {
  readonly spec: TemplateFunction;
  readonly handler: LambdaHandler;
}

/**
 * Imports a function's handler module from source (TypeScript through tsx, or vitest's loader).
 * The module reads its settings from process.env as it loads, so the caller sets the
 * environment first.
 */
export async function loadFunction(projectRoot: string, spec: TemplateFunction): Promise<LoadedFunction> {
  const module = (await import(pathToFileURL(join(projectRoot, spec.entry)).href)) as Record<string, unknown>;
  const handler = module[spec.exportName];
  if (typeof handler !== 'function') throw new Error(`${spec.entry} exports no function ${spec.exportName} (the template's Handler)`);
  return { spec, handler: handler as LambdaHandler };
}

/**
 * Runs one invocation with a fresh Lambda context whose time left counts down from the template's
 * Timeout. Past it the invocation fails with Lambda's timeout error (the handler's promise is
 * left to settle on its own: a thread cannot be stopped from outside). A throw, or a rejection,
 * becomes a FunctionError.
 */
export async function invokeLoaded(fn: LoadedFunction, event: unknown, requestId: string): Promise<unknown> {
  const deadline = Date.now() + fn.spec.timeoutSeconds * 1000;
  const context = lambdaContext(contextFields(fn.spec, requestId), deadline);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(fn.spec)), fn.spec.timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([fn.handler(event, context), timeout]);
  } catch (error) {
    throw FunctionError.from(error);
  } finally {
    clearTimeout(timer);
  }
}
