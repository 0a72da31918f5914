import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS, type FunctionSpec } from '../../functions/routes.ts';

/** The names of functions/routes.ts: tables keyed by them (access, memory) must cover every function. */
export type FunctionName = (typeof FUNCTIONS)[number]['name'];

/** An entry of functions/routes.ts (tests may point its entry at a fixture). */
export interface ServiceFunctionSpec extends FunctionSpec {
  readonly name: FunctionName;
}

export const SERVICE_FUNCTIONS: readonly ServiceFunctionSpec[] = FUNCTIONS;

/**
 * The specs whose handler file exists under `projectRoot`, and those whose file does not yet
 * (a function being written): the stacks deploy the first and warn about the second.
 */
export function partitionByEntry(
  specs: readonly ServiceFunctionSpec[],
  projectRoot: string,
): { readonly present: readonly ServiceFunctionSpec[]; readonly missing: readonly ServiceFunctionSpec[] } {
  const present = specs.filter((spec) => existsSync(join(projectRoot, spec.entry)));
  return { present, missing: specs.filter((spec) => !present.includes(spec)) };
}
