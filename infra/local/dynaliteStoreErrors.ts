import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type dynaliteServer from 'dynalite';

type Callback = (error: unknown, result?: unknown) => void;
type Action = (store: unknown, data: unknown, callback: Callback) => unknown;

/** A DynamoDB error dynalite sends as the response (it answers errors with a statusCode). */
interface DynaliteHttpError {
  readonly statusCode: number;
  readonly body: { readonly __type: string; readonly message: string };
}

const require = createRequire(import.meta.url);
/** Marks a guarded action: Node's module cache outlives this module (test runners re-evaluate it). */
const GUARDED = Symbol.for('marquee.dynaliteGuardedAction');

/**
 * dynalite, loaded so that a store error answers its request instead of ending the process.
 * dynalite 4 throws, from LevelDB's callback, any action error that is not a DynamoDB error — a
 * read-only data folder or a full disk gives `LEVEL_IO_ERROR` — which is an uncaught exception
 * that takes the whole local service down. Its action modules are wrapped before dynalite reads
 * them, so such an error becomes DynamoDB's 500 InternalServerError: the SDK retries it, the
 * functions answer 503 with Retry-After, and the server keeps serving.
 */
export function loadDynalite(): typeof dynaliteServer {
  const main = require.resolve('dynalite');
  const actionsDir = join(dirname(main), 'actions');
  const actionFiles = readdirSync(actionsDir)
    .filter((name) => name.endsWith('.js'))
    .map((name) => join(actionsDir, name));
  if (require.cache[main]) {
    if (actionFiles.every((path) => GUARDED in (require(path) as object))) return require(main) as typeof dynaliteServer;
    throw new Error('dynalite was loaded before loadDynalite() could guard its store errors');
  }
  for (const path of actionFiles) {
    const action = require(path) as Action;
    const cached = require.cache[path];
    if (!cached || typeof action !== 'function') continue;
    cached.exports = Object.assign(
      function guardedAction(store: unknown, data: unknown, callback: Callback) {
        return action(store, data, (error, result) => callback(asHttpError(error), result));
      },
      { [GUARDED]: true },
    );
  }
  return require(main) as typeof dynaliteServer;
}

function asHttpError(error: unknown): unknown {
  if (error === null || error === undefined || (error as { statusCode?: unknown }).statusCode !== undefined) return error;
  const failure: DynaliteHttpError = {
    statusCode: 500,
    body: {
      __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: `the local store failed: ${(error as Error).message ?? String(error)}`,
    },
  };
  return failure;
}
