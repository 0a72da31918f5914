import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { contextFields, FunctionError, timeoutError } from './lambdaContext.ts';
import type { TemplateFunction } from './serviceDefinition.ts';

const WORKER_FILE = fileURLToPath(new URL('./functionWorker.mjs', import.meta.url));

export interface WorkerInvokeOptions {
  readonly projectRoot: string;
  readonly fn: TemplateFunction;
  /** The function's whole environment (the thread's process.env). */
  readonly env: Readonly<Record<string, string>>;
  readonly event: unknown;
  readonly requestId: string;
  /** Milliseconds the invocation may run; default the template's Timeout. */
  readonly timeoutMs?: number;
  /** Each line the function writes to stdout (Powertools logs are JSON lines). Default: this process's stderr. */
  readonly onStdoutLine?: (line: string) => void;
  /** Each line written to stderr. Default: this process's stderr. */
  readonly onStderrLine?: (line: string) => void;
  /** Aborting terminates the thread; the invocation fails with the signal's reason. */
  readonly signal?: AbortSignal;
}

type WorkerMessage =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { errorType: string; errorMessage: string; trace: string[] } };

/**
 * Runs one invocation in a worker thread: a fresh "container" with the function's environment
 * as its own process.env, the handler imported from source, its output streamed back line by
 * line, stopped at the deadline (Lambda's timeout error) or on `signal`. The API's event loop
 * stays free meanwhile, which matters for a training run of minutes. Resolves with the handler's
 * result as JSON; rejects with a FunctionError.
 */
export function invokeInWorker(options: WorkerInvokeOptions): Promise<unknown> {
  const { fn } = options;
  const timeoutMs = options.timeoutMs ?? fn.timeoutSeconds * 1000;
  const deadline = Date.now() + timeoutMs;
  const worker = new Worker(WORKER_FILE, {
    env: { ...options.env },
    stdout: true,
    stderr: true,
    workerData: {
      entryUrl: pathToFileURL(join(options.projectRoot, fn.entry)).href,
      exportName: fn.exportName,
      event: options.event,
      context: contextFields(fn, options.requestId),
      deadline,
    },
  });
  const toStderr = (line: string) => void process.stderr.write(`${line}\n`);
  const lines = [
    forEachLine(worker.stdout, options.onStdoutLine ?? toStderr),
    forEachLine(worker.stderr, options.onStderrLine ?? toStderr),
  ];

  return new Promise<unknown>((resolve, reject) => {
    let message: WorkerMessage | undefined;
    let failure: FunctionError | undefined;
    const stop = (error: FunctionError) => {
      failure ??= error;
      void worker.terminate();
    };
    const timer = setTimeout(() => stop(timeoutError({ timeoutSeconds: timeoutMs / 1000 })), timeoutMs);
    const onAbort = () => stop(FunctionError.from(options.signal?.reason ?? new Error('aborted')));
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (received: WorkerMessage) => {
      message = received;
    });
    worker.on('error', (error) => {
      failure ??= FunctionError.from(error);
    });
    worker.on('exit', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      void Promise.all(lines).then(() => {
        if (failure) reject(failure);
        else if (message?.ok) resolve(message.result);
        else if (message) reject(new FunctionError(message.error.errorType, message.error.errorMessage, message.error.trace));
        else reject(new FunctionError('Runtime.ExitError', `the function's thread exited with code ${code} before answering`));
      });
    });
  });
}

/** Calls `onLine` for each line of `stream`; resolves when it ends. */
function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const reader = createInterface({ input: stream, crlfDelay: Infinity });
    reader.on('line', onLine);
    reader.on('close', resolve);
  });
}
