import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MarqueeApiError, MarqueeClient, retryAfterSeconds } from 'marquee/client';
import { CLIENT_TYPES_FILE, clientTypes } from '../../infra/cli/clientTypes.ts';

const run = promisify(execFile);
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

/** A client over a scripted fetch: answers in turn, requests and waits recorded. */
function scripted(...answers: Response[]) {
  const requests: Request[] = [];
  const waits: number[] = [];
  const client = new MarqueeClient({
    baseUrl: 'https://api.test/prod/',
    apiKey: 'k-1',
    maxRetries: 2,
    maxRetryDelayMs: 5_000,
    sleep: async (ms) => void waits.push(ms),
    fetch: async (input) => {
      requests.push(input as Request);
      return answers.shift() ?? json(500, {});
    },
  });
  return { client, requests, waits };
}

const popular = { recommendationId: '00000000-0000-4000-8000-000000000000', modelVersion: 'v1', personalized: false, items: [] };

describe('marquee/client', () => {
  it('imports in plain Node, with no TypeScript loader', async () => {
    const script = "const m = await import('marquee/client'); console.log(typeof m.MarqueeClient, typeof m.MarqueeApiError);";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
    expect(stdout.trim()).toBe('function function');
  });

  it('ships types generated from the API description as it is now (npm run client:types)', async () => {
    expect(readFileSync(CLIENT_TYPES_FILE, 'utf8')).toBe(await clientTypes());
  });

  it('sends the key, the path, repeatable query parameters and the JSON body', async () => {
    const { client, requests } = scripted(json(200, popular), json(202, { accepted: 1, duplicates: [], batchId: 'b' }));
    expect(await client.popular({ genre: ['Drama', 'Comedy'], count: 5 })).toEqual(popular);
    expect(await client.postEvents([{ userId: 'u 1', itemId: 7, type: 'complete' }])).toMatchObject({ accepted: 1 });
    expect(requests[0].url).toBe('https://api.test/prod/v1/popular?genre=Drama&genre=Comedy&count=5');
    expect(requests[0].headers.get('x-api-key')).toBe('k-1');
    expect(requests[1].method).toBe('POST');
    expect(await requests[1].json()).toEqual({ events: [{ userId: 'u 1', itemId: 7, type: 'complete' }] });
  });

  it('answers an error as a MarqueeApiError {status, error, message, field}', async () => {
    const { client } = scripted(
      json(400, { error: 'invalid_request', message: 'query.count: must be an integer from 1 to 100', field: 'query.count' }),
    );
    const error = await client.popular({ count: 0 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MarqueeApiError);
    expect(error).toMatchObject({
      status: 400,
      error: 'invalid_request',
      field: 'query.count',
      message: 'query.count: must be an integer from 1 to 100',
    });
  });

  it('retries a 429 or 503 after its Retry-After, bounded, the body sent again each time', async () => {
    const busy = () => json(503, { error: 'service_unavailable', message: 'busy' }, { 'Retry-After': '2' });
    const { client, requests, waits } = scripted(
      busy(),
      json(429, { error: 'throttled', message: 'slow down' }, { 'Retry-After': '3600' }),
      json(200, popular),
    );
    expect(await client.recommendForHistory({ history: [1, 2, 3] })).toEqual(popular);
    expect(waits).toEqual([2_000, 5_000]);
    expect(await Promise.all(requests.map((request) => request.json()))).toEqual(Array(3).fill({ history: [1, 2, 3] }));
  });

  it('gives up after maxRetries, with the status and the Retry-After of the last answer', async () => {
    const busy = () => json(503, { error: 'service_unavailable', message: 'no model yet' }, { 'Retry-After': '1' });
    const { client, requests } = scripted(busy(), busy(), busy(), json(200, popular));
    const error = await client.model().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'MarqueeApiError', status: 503, error: 'service_unavailable', retryAfterSeconds: 1 });
    expect(requests).toHaveLength(3);
  });

  it('does not retry other errors, and reads a non-JSON error as best it can', async () => {
    const { client, requests } = scripted(new Response('Bad gateway', { status: 502 }));
    const error = await client.health().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502, error: 'http_error', message: 'Bad gateway' });
    expect(requests).toHaveLength(1);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds(new Date(10_000).toUTCString(), 4_000)).toBe(6);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });

  it('has declarations a consumer compiles without skipLibCheck', async () => {
    const tsc = 'node_modules/typescript/bin/tsc';
    const result = await run(process.execPath, [tsc, '-p', 'client/tsconfig.json'], { cwd: process.cwd() }).catch(
      (failure: { stdout: string }) => failure,
    );
    expect(result.stdout).toBe('');
  }, 60_000);
});
