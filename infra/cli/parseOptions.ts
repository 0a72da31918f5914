import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './cliUsageError.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with our error type: unknown or malformed flags are usage errors. */
export function parseOptions<T extends Options>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliUsageError((error as Error).message, { cause: error });
  }
}

/** The value of a required string flag. */
export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) throw new CliUsageError(`--${name} is required`);
  return value;
}

/** --objective: full | sampled | auto (default auto: the trainer chooses by cost). */
export function objectiveOption(values: Record<string, unknown>): 'full' | 'sampled' | 'auto' {
  const value = values.objective ?? 'auto';
  if (value !== 'full' && value !== 'sampled' && value !== 'auto') {
    throw new CliUsageError(`--objective must be full, sampled or auto, got ${String(value)}`);
  }
  return value;
}

/** A numeric flag, or undefined when absent. */
export function optionalNumber(values: Record<string, unknown>, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(parsed)) {
    throw new CliUsageError(`--${name} must be a number, got ${String(value)}`);
  }
  return parsed;
}
