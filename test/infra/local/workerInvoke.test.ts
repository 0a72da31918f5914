import { describe, expect, it } from 'vitest';
import { FunctionError } from '../../../infra/local/lambdaContext.ts';
import { PROJECT_ROOT } from '../../../infra/local/localDefaults.ts';
import type { TemplateFunction } from '../../../infra/local/serviceDefinition.ts';
import { invokeInWorker } from '../../../infra/local/workerInvoke.ts';

const fn = (exportName: string, timeoutSeconds = 30): TemplateFunction => ({
  name: 'Fixture',
  stack: 'Test',
  logicalId: 'FixtureFn',
  entry: 'test/infra/local/fixtures/handlers.ts',
  exportName,
  environment: {},
  timeoutSeconds,
  memoryMb: 128,
});

describe('invokeInWorker', () => {
  it('runs the handler from source in a thread with the function’s environment, streams its log lines, returns its result', async () => {
    const lines: string[] = [];
    const result = (await invokeInWorker({
      projectRoot: PROJECT_ROOT,
      fn: fn('echo'),
      env: { GREETING: 'hello from the thread' },
      event: { resource: '/x', body: null },
      requestId: 'req-42',
      onStdoutLine: (line) => lines.push(line),
    })) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as { greeting: string; functionName: string; remainingMs: number; event: unknown };
    expect(body).toMatchObject({ greeting: 'hello from the thread', functionName: 'Fixture', event: { resource: '/x' } });
    expect(body.remainingMs).toBeGreaterThan(0);
    expect(body.remainingMs).toBeLessThanOrEqual(30_000);
    expect(lines.map((line) => JSON.parse(line) as { message: string; requestId: string })).toContainEqual({
      level: 'INFO',
      message: 'echo called',
      requestId: 'req-42',
    });
    // The thread's environment is its own.
    expect(process.env.GREETING).toBeUndefined();
  });

  it('rejects with the handler’s error as Lambda reports it', async () => {
    const failure = await invokeInWorker({ projectRoot: PROJECT_ROOT, fn: fn('failing'), env: {}, event: {}, requestId: 'r' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(FunctionError);
    expect((failure as FunctionError).toJSON()).toMatchObject({ errorType: 'TypeError', errorMessage: 'the fixture failed on purpose' });
  });

  it('stops the thread at the timeout with Lambda’s timeout error', async () => {
    const failure = await invokeInWorker({ projectRoot: PROJECT_ROOT, fn: fn('slow', 1), env: {}, event: {}, requestId: 'r' }).catch(
      (error: unknown) => error,
    );
    expect((failure as FunctionError).errorType).toBe('Sandbox.Timedout');
    expect((failure as FunctionError).message).toBe('Task timed out after 1.00 seconds');
  });

  it('stops the thread when aborted', async () => {
    const controller = new AbortController();
    const pending = invokeInWorker({
      projectRoot: PROJECT_ROOT,
      fn: fn('slow'),
      env: {},
      event: {},
      requestId: 'r',
      signal: controller.signal,
    });
    controller.abort(new Error('stopping'));
    await expect(pending).rejects.toThrow(/stopping/);
  });
});
