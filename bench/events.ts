// Ingestion speed of POST /v1/events. Prints figures; asserts nothing.
//
//   npm run bench:events [-- --json] [-- --batches 300] [-- --concurrency 8] [-- --users-per-batch 10]
//
// The events handler runs in this process, invoked with API Gateway events (middy, zod validation,
// Powertools), against s3rver and dynalite started in a child process on local disk (a temporary
// folder), so the servers get the other core rather than this event loop. Each batch holds 100
// events with unique eventIds from `--users-per-batch` viewers of a pool of 5 000, so every
// request does the full work: the idempotency check, one S3 PUT beside one forget-marker read,
// four 25-item history BatchWriteItems and 100 conditional claims.
//   1. eventsPerSecond: `--batches` batches sent with `--concurrency` in flight, accepted events
//      divided by the wall time;
//   2. batchP99Ms: the 99th percentile of one 100-event batch's handler time, sent one at a time.
// A warm-up of 20 batches goes first. The machine is small and shared (2 cores, other work on
// them), so figures vary between runs by tens of per cent; the local servers, not the handler,
// are the bottleneck (s3rver writes a file and its metadata per object, dynalite a LevelDB row).
// With --json: {"eventsPerSecond", "batchP99Ms"}. Progress goes to stderr.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { S3Client } from '@aws-sdk/client-s3';
import type { IdempotencyStore } from '../functions/commons/idempotencyStore.ts';
import type { UserHistoryStore } from '../functions/commons/userHistoryStore.ts';

const args = process.argv.slice(2);

if (args.includes('--serve-local-aws')) {
  // Child mode: run the local servers until stdin closes, printing their environment once.
  const { startLocalAws } = await import('../infra/local/localAws.ts');
  const local = await startLocalAws({ dataDir: args[args.indexOf('--serve-local-aws') + 1] });
  process.stdout.write(`${JSON.stringify(local.env)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void local.stop().then(() => process.exit(0)));
} else {
  await bench();
}

function option(name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at >= 0 && at + 1 < args.length ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function bench(): Promise<void> {
  const json = args.includes('--json');
  const batches = option('--batches', 300);
  const concurrency = option('--concurrency', 8);
  const usersPerBatch = option('--users-per-batch', 10);
  const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-events-'));
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '../infra/cli/run-ts.mjs'), import.meta.filename, '--serve-local-aws', dir],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  try {
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`local servers exited with ${code}`)));
    });
    Object.assign(process.env, JSON.parse(firstLine) as Record<string, string>, {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    // Loaded after the environment is set: the logger, metrics and SDK clients read it when created.
    const [{ createEventsHandler }, { apiEvent, context }] = await Promise.all([
      import('../functions/events/handler.ts'),
      Promise.resolve(gatewayEvents()),
    ]);
    const handler = createEventsHandler();

    let next = 0;
    const batch = (): string => {
      const n = next++;
      const events = Array.from({ length: 100 }, (_, i) => ({
        eventId: `bench-${n}-${i}`,
        userId: `viewer-${(n * usersPerBatch + (i % usersPerBatch)) % 5000}`,
        itemId: `title-${(n * 31 + i * 7) % 2000}`,
        type: i % 10 === 0 ? 'rating' : 'watch',
        value: i % 10 === 0 ? 4 : 0.75,
        timestamp: 1_700_000_000 + n,
      }));
      return JSON.stringify({ events });
    };
    const send = async (): Promise<number> => {
      const response = await handler(apiEvent(batch()), context);
      if (response.statusCode !== 202) throw new Error(`unexpected ${response.statusCode}: ${response.body}`);
      return (JSON.parse(response.body) as { accepted: number }).accepted;
    };

    progress(`warm-up: 20 batches`);
    for (let i = 0; i < 20; i++) await send();

    progress(`throughput: ${batches} batches of 100 events, ${concurrency} in flight`);
    let accepted = 0;
    let sent = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent < batches) {
          sent++;
          const count = await send();
          accepted += count;
        }
      }),
    );
    const eventsPerSecond = accepted / ((performance.now() - started) / 1000);

    const samples = Math.max(100, Math.min(batches, 300));
    progress(`latency: ${samples} batches of 100 events, one at a time`);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await send();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const quantile = (q: number): number => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
    const batchP99Ms = quantile(0.99);

    // The handler's own cost (validation, serialisation, middleware), with stores that answer at once.
    progress(`handler alone: ${samples} batches with in-memory stores`);
    const instant = createEventsHandler({
      stores: () => ({
        s3: { send: async () => ({}) } as unknown as S3Client,
        bucket: 'memory',
        idempotency: {
          seen: async () => new Set<string>(),
          claim: async (ids: readonly string[]) => ({ claimed: ids, taken: [], failed: [] }),
        } as unknown as IdempotencyStore,
        history: { forgottenAt: async () => new Map<string, number>(), put: async () => undefined } as unknown as UserHistoryStore,
      }),
    });
    const alone: number[] = [];
    for (let i = 0; i < samples + 50; i++) {
      const event = apiEvent(batch());
      const t0 = performance.now();
      const response = await instant(event, context);
      if (i >= 50) alone.push(performance.now() - t0);
      if (response.statusCode !== 202) throw new Error(`unexpected ${response.statusCode}: ${response.body}`);
    }
    alone.sort((a, b) => a - b);

    if (json) {
      process.stdout.write(`${JSON.stringify({ eventsPerSecond: Math.round(eventsPerSecond), batchP99Ms: round(batchP99Ms) })}\n`);
    } else {
      process.stdout.write(
        [
          `events/second   ${Math.round(eventsPerSecond)}  (${accepted} events in ${batches} batches, ${concurrency} in flight, ${usersPerBatch} viewers per batch)`,
          `100-event batch p50 ${round(quantile(0.5))} ms, p99 ${round(batchP99Ms)} ms  (one at a time, ${samples} batches)`,
          `handler alone   p50 ${round(alone[Math.ceil(0.5 * alone.length) - 1])} ms, p99 ${round(alone[Math.ceil(0.99 * alone.length) - 1])} ms  (in-memory stores: the rest is the local servers)`,
          'against s3rver + dynalite on local disk in a child process; a 2-core machine shared with other work',
          '',
        ].join('\n'),
      );
    }
  } finally {
    child.stdin?.end();
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** API Gateway proxy events for POST /v1/events and a Lambda context. */
function gatewayEvents() {
  const apiEvent = (body: string) =>
    ({
      resource: '/v1/events',
      path: '/v1/events',
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json' },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      requestContext: {} as never,
      body,
      isBase64Encoded: false,
    }) as import('aws-lambda').APIGatewayProxyEvent;
  const context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'bench-events',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench-events',
    memoryLimitInMB: '1024',
    awsRequestId: 'bench',
    logGroupName: '/aws/lambda/bench-events',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } as import('aws-lambda').Context;
  return { apiEvent, context };
}
