import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalApi, LocalResponse } from '../../../infra/local/localApi.ts';
import { LocalHttpServer } from '../../../infra/local/localHttpServer.ts';
import type { LocalRequest } from '../../../infra/local/proxyEvent.ts';

/** An API that answers with what it received, after `release()` when the path is /hold. */
function fakeApi() {
  const received: LocalRequest[] = [];
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const api = {
    async handle(req: LocalRequest): Promise<LocalResponse> {
      received.push(req);
      if (req.url === '/hold') await held;
      return {
        statusCode: 200,
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from(JSON.stringify({ url: req.url, bytes: req.body?.length ?? 0 })),
      };
    },
    gatewayError(): LocalResponse {
      return { statusCode: 413, headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"message":"Request Too Long"}') };
    },
  };
  return { api: api as unknown as LocalApi, received, release: () => release() };
}

function call(port: number, path: string, body?: Buffer): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', headers: body ? { 'Content-Type': 'application/json' } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('LocalHttpServer', () => {
  let server: LocalHttpServer | undefined;
  afterEach(async () => {
    await server?.close(1_000);
    server = undefined;
  });

  it('hands the API the method, URL, raw headers and body, and writes its answer', async () => {
    const fake = fakeApi();
    server = await LocalHttpServer.listen({ api: fake.api, port: 0 });
    expect(server.url).toBe(`http://localhost:${server.port}`);
    const answer = await call(server.port, '/v1/x?y=1', Buffer.from('{"a":1}'));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ url: '/v1/x?y=1', bytes: 7 });
    expect(fake.received[0]).toMatchObject({ method: 'POST', url: '/v1/x?y=1' });
    expect(fake.received[0].headers).toContainEqual(['Content-Type', 'application/json']);
  });

  it('answers 413 past the size limit without handing the request on', async () => {
    const fake = fakeApi();
    server = await LocalHttpServer.listen({ api: fake.api, port: 0, maxRequestBytes: 16 });
    const answer = await call(server.port, '/big', Buffer.alloc(1024, 'a'));
    expect(answer.status).toBe(413);
    expect(fake.received).toHaveLength(0);
  });

  it.each([
    ['a 100 KB URL', `/v1/users/u1/recommendations?${'exclude=m1&'.repeat(10_000)}`, {}, 414, 'uri_too_long'],
    ['a 12 KB URL', `/v1/popular?genre=${'a'.repeat(12_000)}`, {}, 414, 'uri_too_long'],
    ['a 20 KB header', '/v1/popular', { 'x-big': 'b'.repeat(20_000) }, 431, 'header_fields_too_large'],
    [
      'many headers, 11 KB in all',
      '/v1/popular',
      Object.fromEntries(Array.from({ length: 110 }, (_, i) => [`x-h${i}`, 'c'.repeat(100)])),
      431,
      'header_fields_too_large',
    ],
  ])(
    'answers %s with a JSON %i (API Gateway refuses over 10,240 bytes of request line and headers), not a reset',
    async (_what, path, headers, status, code) => {
      const fake = fakeApi();
      server = await LocalHttpServer.listen({ api: fake.api, port: 0 });
      const response = await fetch(`${server.url}${path}`, { headers });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toMatchObject({ error: code, message: expect.stringContaining('10240 bytes') });
      expect(fake.received).toEqual([]);
      // The server goes on serving.
      expect((await fetch(`${server.url}/v1/popular`)).status).toBe(200);
    },
  );

  it('on close, answers the request in flight (Connection: close), then refuses new connections', async () => {
    const fake = fakeApi();
    server = await LocalHttpServer.listen({ api: fake.api, port: 0 });
    const port = server.port;
    const inFlight = call(port, '/hold');
    while (fake.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(server.activeRequests).toBe(1);
    const closing = server.close(10_000);
    fake.release();
    const answer = await inFlight;
    await closing;
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    await expect(call(port, '/after')).rejects.toThrow(/ECONNREFUSED/);
    server = undefined;
  });
});
