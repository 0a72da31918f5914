// Entry of ParallelTrainer's worker threads. Workers do not inherit the parent's TypeScript loader
// (tsx via infra/cli/run-ts.mjs, or vitest's transform), so this plain-JS file registers tsx in
// the worker and then loads the TypeScript worker: no build step, on Node 20 and later.
// A failure to load is recorded in the shared control array (see sharedBarrier.ts) so that the
// main thread, which waits synchronously, reports it instead of waiting forever.
import { workerData } from 'node:worker_threads';

try {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./gradientWorker.ts');
} catch (error) {
  // The slots of CONTROL in sharedBarrier.ts (which cannot be imported without tsx), and the
  // same claim-write-publish sequence as SharedBarrier.fail.
  const control = new Int32Array(workerData.setup.control);
  const GENERATION = 0;
  const FAILED = 3;
  const MESSAGE_LENGTH = 6;
  if (Atomics.compareExchange(control, FAILED, 0, -1) === 0) {
    const messages = new Uint8Array(workerData.setup.messages);
    const text = `could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    const bytes = new TextEncoder().encode(text).subarray(0, messages.length);
    messages.set(bytes);
    Atomics.store(control, MESSAGE_LENGTH, bytes.length);
    Atomics.store(control, FAILED, workerData.rank + 1);
    Atomics.notify(control, GENERATION);
  }
}
