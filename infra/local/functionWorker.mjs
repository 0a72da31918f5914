// A worker thread that runs one invocation of a function from source, as a fresh Lambda
// container would: TypeScript through tsx, the function's environment as this thread's
// process.env (set by the parent), its logs on this thread's stdout/stderr (piped to the parent).
// See infra/local/workerInvoke.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
// Process warnings (deprecations, the SDK's Node version notice) are printed by the main thread
// already; a thread per invocation would repeat them on every run.
process.removeAllListeners('warning');
const { entryUrl, exportName, event, context, deadline } = workerData;
try {
  const module = await import(entryUrl);
  const handler = module[exportName];
  if (typeof handler !== 'function') throw new Error(`${entryUrl} exports no function ${exportName}`);
  const result = await handler(event, {
    ...context,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  });
  // What Lambda returns is the JSON of the result.
  parentPort.postMessage({ ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
} catch (error) {
  const failure = error instanceof Error ? error : new Error(String(error));
  parentPort.postMessage({
    ok: false,
    error: { errorType: failure.name, errorMessage: failure.message, trace: String(failure.stack ?? '').split('\n') },
  });
}
// The invocation is over: end the thread even if the handler left sockets or timers behind (the
// parent waits for the exit, by which time everything written to stdout has reached it).
process.exit(0);
