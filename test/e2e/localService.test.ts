import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarqueeApiError, MarqueeClient } from 'marquee/client';
import { FUNCTIONS } from '../../functions/routes.ts';
import { expectMatchesApi } from '../helpers/apiContract.ts';

/**
 * The local service end to end, as a user runs it: `marquee serve` (what `npm start` runs) in a
 * child process on a free port over a temporary data folder, with a small demo catalog and a
 * small model so that it starts fast, then plain HTTP — and the CLI (`marquee retrain`,
 * `marquee invoke`) against the running service, as in the README.
 */

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'infra/cli/marquee.mjs');
const run = promisify(execFile);
/** Small and quick everywhere: the demo, the model, a gate that lets any finite candidate through, serving that looks for a new model every second. */
const RETRAIN_ENV = { RETRAIN_MAX_EPOCHS: '12', RETRAIN_DIM: '16', RETRAIN_GATE_TOLERANCE: '1', RETRAIN_RESERVE_SECONDS: '5' };
const SERVE_ARGS = [
  ...['--port', '0', '--quiet', '--demo-items', '150', '--demo-users', '90', '--demo-events-per-user', '30', '-c', 'modelRefreshSeconds=1'],
  ...Object.entries(RETRAIN_ENV).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
];
const START_TIMEOUT = 300_000;

interface Service {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

async function startService(dataDir: string): Promise<Service> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, ...SERVE_ARGS], {
    cwd: ROOT,
    env: { ...process.env, MARQUEE_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
  const deadline = Date.now() + START_TIMEOUT;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`marquee serve exited with code ${child.exitCode}:\n${output}`);
    const record = await readJson<{ service?: { state: string; url?: string } }>(join(dataDir, 'endpoints.json'));
    // The banner follows the ready record by a moment.
    if (record?.service?.state === 'ready' && record.service.url && output.includes('Marquee is running at'))
      return { child, url: record.service.url, output: () => output };
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`marquee serve was not ready in time:\n${output}`);
}

async function stopService(service: Service): Promise<number | null> {
  if (service.child.exitCode !== null) return service.child.exitCode;
  const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
  service.child.kill('SIGINT');
  return exited;
}

async function marquee(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 16 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Item {
  readonly itemId: string;
  readonly title: string;
  readonly genres: readonly string[];
}

describe('the local service over HTTP (marquee serve in a child process)', () => {
  let dataDir: string;
  let service: Service;
  let key: string;
  const api = async (method: string, path: string, options: { body?: unknown; key?: string | null; rawBody?: string } = {}) => {
    const headers: Record<string, string> = {};
    const useKey = options.key === undefined ? key : options.key;
    if (useKey !== null) headers['x-api-key'] = useKey;
    let body: string | undefined;
    if (options.rawBody !== undefined || options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = options.rawBody ?? JSON.stringify(options.body);
    }
    const response = await fetch(`${service.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: (text ? JSON.parse(text) : {}) as Record<string, any> };
  };
  const modelVersion = async () => (await api('GET', '/v1/model')).json.version as string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'marquee-e2e-'));
    service = await startService(dataDir);
    key = (await readFile(join(dataDir, 'api-key'), 'utf8')).trim();
  }, START_TIMEOUT + 10_000);
  afterAll(async () => {
    if (service) await stopService(service);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the key it stored and a ready curl line', () => {
    expect(service.output()).toContain(`API key   ${key}`);
    expect(service.output()).toContain(`curl -H "x-api-key: ${key}" ${service.url}/v1/users/u1/recommendations`);
    expect(service.output()).toMatch(/demo catalog loaded: 150 titles/);
  });

  it('answers /v1/health without a key with {status} alone; the loaders are on the keyed /v1/model', async () => {
    const health = await api('GET', '/v1/health', { key: null });
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
    const model = await api('GET', '/v1/model');
    expect(model.json.uptimeSeconds).toEqual(expect.any(Number));
    expect(model.json.loaders.length).toBeGreaterThan(0);
    expect(
      model.json.loaders.every(
        (loader: { state: string; version: string }) => loader.state === 'loaded' && loader.version === model.json.version,
      ),
    ).toBe(true);
  });

  it('recommends for a demo viewer with the printed key', async () => {
    const answer = await api('GET', '/v1/users/u1/recommendations?count=5');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ userId: 'u1', personalized: true });
    expect(answer.json.items).toHaveLength(5);
    expect(answer.json.modelVersion).toBe(await modelVersion());
  });

  it('is driven through marquee/client: popular, recommendations for a history, an event, a 400 with its field', async () => {
    const client = new MarqueeClient({ baseUrl: service.url, apiKey: key });
    expect(await client.health()).toEqual({ status: 'ok' });

    const popular = await client.popular({ count: 5 });
    expectMatchesApi('GET /v1/popular', { statusCode: 200, body: popular });
    expect(popular.items).toHaveLength(5);

    const history = popular.items.slice(0, 3).map((item) => item.itemId);
    const recommended = await client.recommendForHistory({
      history,
      preferences: { genre: popular.items[0].genres[0] },
      count: 5,
      explain: true,
    });
    expectMatchesApi('POST /v1/recommendations', { statusCode: 200, body: recommended });
    expect(recommended).toMatchObject({ personalized: true, modelVersion: await modelVersion() });
    expect(recommended.items.map((item) => item.itemId)).not.toContain(history[0]);

    const viewer = `client-${Date.now()}`;
    const accepted = await client.postEvents([{ eventId: `${viewer}-1`, userId: viewer, itemId: history[0], type: 'complete' }]);
    expectMatchesApi('POST /v1/events', { statusCode: 202, body: accepted });
    expect(accepted).toMatchObject({ accepted: 1, duplicates: [] });
    const stored = await client.history(viewer);
    expectMatchesApi('GET /v1/users/{userId}/history', { statusCode: 200, body: stored });
    expect(stored.items.map((entry) => entry.itemId)).toEqual([history[0]]);

    const refused = await client.recommendForHistory({ history, count: 0 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MarqueeApiError);
    expect(refused).toMatchObject({ status: 400, error: 'invalid_request', field: 'body.count' });
    const keyless = await new MarqueeClient({ baseUrl: service.url }).popular().catch((error: unknown) => error);
    expect(keyless).toMatchObject({ name: 'MarqueeApiError', status: 403 });
  });

  it('serves its OpenAPI description without a key, with every route of functions/routes.ts', async () => {
    const document = await new MarqueeClient({ baseUrl: service.url }).openApi();
    expectMatchesApi('GET /v1/openapi.json', { statusCode: 200, body: document });
    const paths = document.paths as Record<string, Record<string, unknown>>;
    for (const route of FUNCTIONS.flatMap((fn) => fn.routes))
      expect(paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
  });

  it('refuses every keyed route without the key or with a wrong one (403), saying which and how to fix it', async () => {
    for (const [method, path] of [
      ['GET', '/v1/users/u1/recommendations'],
      ['GET', '/v1/popular'],
      ['POST', '/v1/events'],
      ['GET', '/v1/model'],
    ] as const) {
      for (const wrong of [null, 'not-the-key-0123456789', `${key}x`]) {
        const answer = await api(method, path, { key: wrong, body: method === 'POST' ? { events: [] } : undefined });
        expect(answer.status, `${method} ${path} with ${wrong}`).toBe(403);
        expect(answer.json.message).toMatch(wrong === null ? /^Missing API key/ : /^Invalid API key/);
        expect(answer.json.hint).toContain('npx marquee key');
      }
    }
  });

  it('answers 404 for a route the template does not have, and 405 with Allow for a method a path lacks', async () => {
    const unknown = await api('GET', '/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: 'not_found' });
    const wrongMethod = await api('DELETE', '/v1/popular');
    expect(wrongMethod.status).toBe(405);
    // No OPTIONS: CORS is off unless corsAllowOrigins names origins.
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(wrongMethod.json).toMatchObject({ error: 'method_not_allowed' });
  });

  it('answers bad input with a 4xx naming the field', async () => {
    const count = await api('GET', '/v1/users/u1/recommendations?count=0');
    expect(count.status).toBe(400);
    expect(count.json.field).toBe('query.count');
    const type = await api('POST', '/v1/events', { body: { events: [{ userId: 'u1', itemId: 'm1', type: 'purchase' }] } });
    expect(type.status).toBe(400);
    expect(type.json.field).toBe('body.events[0].type');
    const notJson = await api('POST', '/v1/events', { rawBody: '{"events": [' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toBeDefined();
    const missing = await api('GET', '/v1/items/no-such-title');
    expect(missing.status).toBe(404);
  });

  it('reflects posted events in the viewer’s recommendations at once', async () => {
    const before = await api('GET', '/v1/users/e2e-viewer/recommendations?count=10');
    expect(before.json.personalized).toBe(false);
    const popular = (await api('GET', '/v1/popular?genre=drama&count=6')).json.items as Item[];
    expect(popular.length).toBe(6);
    const posted = await api('POST', '/v1/events', {
      body: { events: popular.map((item, i) => ({ eventId: `e2e-${i}`, userId: 'e2e-viewer', itemId: item.itemId, type: 'complete' })) },
    });
    expect(posted.status).toBe(202);
    expect(posted.json.accepted).toBe(6);
    const after = await api('GET', '/v1/users/e2e-viewer/recommendations?count=10');
    expect(after.status).toBe(200);
    expect(after.json.personalized).toBe(true);
    const watched = new Set(popular.map((item) => item.itemId));
    expect((after.json.items as Item[]).some((item) => watched.has(item.itemId))).toBe(false);
    // The same ids again are duplicates: nothing is stored twice.
    const again = await api('POST', '/v1/events', {
      body: { events: [{ eventId: 'e2e-0', userId: 'e2e-viewer', itemId: popular[0].itemId, type: 'complete' }] },
    });
    expect(again.json).toMatchObject({ accepted: 0, duplicates: ['e2e-0'] });
  });

  it('forgets a viewer on DELETE: their recommendations fall back to popular titles at once', async () => {
    const posted = await api('POST', '/v1/events', {
      body: {
        events: [
          { userId: 'e2e-leaving', itemId: 'm1', type: 'complete' },
          { userId: 'e2e-leaving', itemId: 'm2', type: 'like' },
        ],
      },
    });
    expect(posted.status).toBe(202);
    expect((await api('GET', '/v1/users/e2e-leaving/recommendations')).json.personalized).toBe(true);
    const forgotten = await api('DELETE', '/v1/users/e2e-leaving');
    expect(forgotten.status).toBe(202);
    const after = await api('GET', '/v1/users/e2e-leaving/recommendations?count=5');
    expect(after.status).toBe(200);
    expect(after.json.personalized).toBe(false);
    expect((after.json.items as { reason?: string }[]).every((item) => item.reason === 'popular')).toBe(true);
  });

  it('adds a title through the API, which similar finds by its features before any retrain', async () => {
    const template = (await api('GET', '/v1/items/m1')).json as Item & {
      cast: string[];
      directors: string[];
      tags: string[];
      year?: number;
    };
    const put = await api('PUT', '/v1/items/e2e-title', {
      body: {
        title: 'The End-to-End Test',
        genres: template.genres,
        cast: template.cast,
        directors: template.directors,
        tags: template.tags,
        ...(template.year ? { year: template.year } : {}),
      },
    });
    expect(put.status).toBe(201);
    expect((await api('GET', '/v1/items/e2e-title')).json).toMatchObject({ itemId: 'e2e-title', title: 'The End-to-End Test' });
    const served = await modelVersion();

    // Serving picks catalog changes up on the refresh cadence (1 s here), the first request after it starting the look.
    let similar = await api('GET', '/v1/items/e2e-title/similar?count=10');
    for (let i = 0; i < 100 && similar.status !== 200; i++) {
      await sleep(200);
      similar = await api('GET', '/v1/items/e2e-title/similar?count=10');
    }
    expect(similar.status).toBe(200);
    expect(similar.json.modelVersion).toBe(served);
    const items = similar.json.items as Item[];
    expect(items.length).toBe(10);
    expect(items.map((item) => item.itemId)).not.toContain('e2e-title');
    const sharing = items.filter((item) => item.genres.some((genre) => template.genres.includes(genre))).length;
    expect(sharing).toBeGreaterThanOrEqual(5);

    // Rank knows the title Similar serves (it used to call it unknown_item), within one refresh interval (1 s here).
    await sleep(1_100);
    const rank = await api('POST', '/v1/rank', { body: { history: ['m1', 'm2'], itemIds: ['e2e-title', 'm3', 'm4'] } });
    expect(rank.status).toBe(200);
    expect(rank.json.unknownItemIds).toBeUndefined();
    expect(rank.json.items.find((item: { itemId: string }) => item.itemId === 'e2e-title').reason).toBeUndefined();
  });

  it('retrains with npx marquee retrain against the running service and serves the new /v1/model version, the added title now in the model', async () => {
    const served = await modelVersion();
    const retrain = await marquee(['retrain', '--data-dir', dataDir, '--json'], RETRAIN_ENV);
    expect(retrain.code, retrain.stderr).toBe(0);
    const report = JSON.parse(retrain.stdout) as { outcome: string; version: string; data: { items: number } };
    expect(report.outcome).toBe('published');
    expect(report.version).not.toBe(served);
    // 150 demo titles and the one added.
    expect(report.data.items).toBe(151);
    let version = served;
    for (let i = 0; i < 100 && version !== report.version; i++) {
      await sleep(200);
      version = await modelVersion();
    }
    expect(version).toBe(report.version);

    // Each serving function looks for the new version on its own, the first request after the refresh interval starting the look.
    let similar = await api('GET', '/v1/items/e2e-title/similar?count=10');
    for (let i = 0; i < 100 && similar.json.modelVersion !== report.version; i++) {
      await sleep(200);
      similar = await api('GET', '/v1/items/e2e-title/similar?count=10');
    }
    expect(similar.status).toBe(200);
    expect(similar.json.modelVersion).toBe(report.version);
    expect(similar.json.items).toHaveLength(10);
    // Rank shares Recommend's loader here; it too answers from the new version, the added title in it.
    const rank = await api('POST', '/v1/rank', { body: { history: ['m1'], itemIds: ['e2e-title', 'm2'] } });
    expect(rank.status).toBe(200);
    expect(rank.json.modelVersion).toBe(report.version);
    expect(rank.json.unknownItemIds).toBeUndefined();
  });

  it('runs one function with its sample event against the running service (npm run invoke)', async () => {
    const invoked = await marquee(['invoke', 'Popular', '--data-dir', dataDir]);
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(invoked.stderr).toMatch(/against the running local service/);
    const response = JSON.parse(invoked.stdout) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ modelVersion: await modelVersion() });

    // An event file of one's own, as with `sam local invoke --event`.
    const sample = JSON.parse(await readFile(join(ROOT, 'infra/local/events/Popular.json'), 'utf8')) as Record<string, any>;
    const eventFile = join(dataDir, 'popular-action.json');
    await writeFile(
      eventFile,
      JSON.stringify({ ...sample, queryStringParameters: { count: '3' }, multiValueQueryStringParameters: { count: ['3'] } }),
    );
    const own = await marquee(['invoke', 'Popular', '--event', eventFile, '--data-dir', dataDir]);
    expect(own.code, own.stderr).toBe(0);
    const ownResponse = JSON.parse(own.stdout) as { statusCode: number; body: string };
    expect(ownResponse.statusCode).toBe(200);
    expect(JSON.parse(ownResponse.body).items).toHaveLength(3);
  });

  it('refuses a second service on the same data folder while the first runs', async () => {
    const second = await marquee(['serve', '--data-dir', dataDir, '--port', '0']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already runs on/);
  });

  it(
    'stops cleanly on Ctrl-C, and a second start reuses the data and the key without loading the demo again',
    async () => {
      const version = await modelVersion();
      expect(await stopService(service)).toBe(0);
      expect(service.output()).toMatch(/stopped; the data stays in/);
      await expect(access(join(dataDir, 'endpoints.json'))).rejects.toThrow(/ENOENT/);

      service = await startService(dataDir);
      expect(service.output()).not.toMatch(/demo catalog loaded/);
      // The same key, now masked: printed in full only by the start that generated it.
      expect(service.output()).not.toContain(key);
      expect(service.output()).toContain(`API key   ${key.slice(0, 4)}…${key.slice(-4)}`);
      expect(service.output()).toMatch(/\(cached\)/);
      expect(await modelVersion()).toBe(version);
      const viewer = await api('GET', '/v1/users/e2e-viewer/recommendations');
      expect(viewer.json.personalized).toBe(true);
    },
    START_TIMEOUT,
  );
});
