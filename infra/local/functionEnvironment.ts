import type { TemplateFunction } from './serviceDefinition.ts';

/** Thrown when a function's environment names a resource the local stores do not provide. */
export class LocalEnvironmentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalEnvironmentError';
  }
}

/**
 * Variables the local runtime sets over the template's, because the local machine is not Lambda:
 * Powertools metrics would print one CloudWatch EMF document per request to the terminal.
 */
export const LOCAL_RUNTIME_VARIABLES: Readonly<Record<string, string>> = {
  POWERTOOLS_METRICS_DISABLED: 'true',
};

/**
 * A function's environment on this machine, in layers:
 * 1. `stores`: what Lambda's runtime would provide (region, credentials) and the SDK endpoints of
 *    the local S3 and DynamoDB servers (startLocalAws's `env`);
 * 2. the template's variables: plain strings as they are; a CloudFormation reference (the bucket's
 *    or a table's name, imported from the storage stack) is bound to the local resource of the
 *    same variable name in `stores` — an unbound reference is an error naming it;
 * 3. LOCAL_RUNTIME_VARIABLES, then `overrides` (`--env NAME=VALUE`).
 */
export function functionEnvironment(
  fn: TemplateFunction,
  stores: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = { ...stores };
  for (const [name, value] of Object.entries(fn.environment)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      env[name] = String(value);
    } else if (overrides[name] !== undefined) {
      env[name] = overrides[name];
    } else if (stores[name] !== undefined) {
      env[name] = stores[name];
    } else {
      throw new LocalEnvironmentError(
        `${fn.name}: ${name} is ${JSON.stringify(value)} in the template, which names no local resource (give it with --env ${name}=<value>)`,
      );
    }
  }
  return { ...env, ...LOCAL_RUNTIME_VARIABLES, ...overrides };
}

/**
 * One environment for several functions sharing a process (their modules read process.env when
 * they load): the union of theirs. Returns the names whose values differ between functions,
 * which a shared process cannot honour (the first function's value is kept).
 */
export function sharedEnvironment(environments: readonly Readonly<Record<string, string>>[]): {
  env: Record<string, string>;
  conflicts: string[];
} {
  const env: Record<string, string> = {};
  const conflicts = new Set<string>();
  for (const each of environments) {
    for (const [name, value] of Object.entries(each)) {
      if (env[name] === undefined) env[name] = value;
      else if (env[name] !== value) conflicts.add(name);
    }
  }
  return { env, conflicts: [...conflicts].sort() };
}
