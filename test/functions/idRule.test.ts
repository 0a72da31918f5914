import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { apiGatewayEvent, invoke, type ApiGatewayEventOptions } from '../helpers/apiGatewayEvent.ts';
import { withLocalAws } from '../helpers/withLocalAws.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type Route = (id: string) => { readonly handler: string; readonly request: ApiGatewayEventOptions; readonly field: string };

/** Where each route takes an id, and the field its 400 must name. */
const ROUTES: Record<string, Route> = {
  'GET recommendations (path)': (id) => ({
    handler: 'recommend',
    request: { method: 'GET', resource: '/v1/users/{userId}/recommendations', pathParameters: { userId: id } },
    field: 'path.userId',
  }),
  'GET recommendations (exclude)': (id) => ({
    handler: 'recommend',
    request: {
      method: 'GET',
      resource: '/v1/users/{userId}/recommendations',
      pathParameters: { userId: 'u1' },
      query: { exclude: ['m1', id] },
    },
    field: 'query.exclude[1]',
  }),
  'POST recommendations (history)': (id) => ({
    handler: 'recommend',
    request: { method: 'POST', resource: '/v1/recommendations', body: { history: [id] } },
    field: 'body.history[0]',
  }),
  'GET similar (path)': (id) => ({
    handler: 'similar',
    request: { method: 'GET', resource: '/v1/items/{itemId}/similar', pathParameters: { itemId: id } },
    field: 'path.itemId',
  }),
  'POST rank (userId)': (id) => ({
    handler: 'rank',
    request: { method: 'POST', resource: '/v1/rank', body: { userId: id, itemIds: ['m1'] } },
    field: 'body.userId',
  }),
  'POST rank (itemIds)': (id) => ({
    handler: 'rank',
    request: { method: 'POST', resource: '/v1/rank', body: { itemIds: ['m1', id] } },
    field: 'body.itemIds[1]',
  }),
  'POST events (userId)': (id) => ({
    handler: 'events',
    request: { method: 'POST', resource: '/v1/events', body: { events: [{ userId: id, itemId: 'm1', type: 'click' }] } },
    field: 'body.events[0].userId',
  }),
  'POST events (itemId)': (id) => ({
    handler: 'events',
    request: { method: 'POST', resource: '/v1/events', body: { events: [{ userId: 'u1', itemId: id, type: 'click' }] } },
    field: 'body.events[0].itemId',
  }),
  'PUT item (path)': (id) => ({
    handler: 'items',
    request: { method: 'PUT', resource: '/v1/items/{itemId}', pathParameters: { itemId: id }, body: { title: 'T' } },
    field: 'path.itemId',
  }),
  'GET item (path)': (id) => ({
    handler: 'items',
    request: { method: 'GET', resource: '/v1/items/{itemId}', pathParameters: { itemId: id } },
    field: 'path.itemId',
  }),
  'POST items (itemId)': (id) => ({
    handler: 'items',
    request: { method: 'POST', resource: '/v1/items', body: { items: [{ itemId: id, title: 'T' }] } },
    field: 'body.items[0].itemId',
  }),
  'DELETE user (path)': (id) => ({
    handler: 'forgetUser',
    request: { method: 'DELETE', resource: '/v1/users/{userId}', pathParameters: { userId: id } },
    field: 'path.userId',
  }),
};

const BAD_IDS: Record<string, string> = {
  'a leading space': ' u1',
  'a trailing space': 'u1 ',
  'a blank id': '   ',
  'an empty id': '',
  NUL: 'u\u00001',
  'a control character': 'u\u00071',
  'a bidi override': 'u\u202E1',
  'a lone surrogate': 'u\uD8001',
};

/**
 * The proxy event of `request`, with the path parameters as given (API Gateway hands them over
 * decoded; the event's path is built with encodeURIComponent, which refuses a lone surrogate).
 */
function eventOf(request: ApiGatewayEventOptions): APIGatewayProxyEvent {
  const placeholders = request.pathParameters && Object.fromEntries(Object.keys(request.pathParameters).map((name) => [name, 'x']));
  return { ...apiGatewayEvent({ ...request, pathParameters: placeholders }), pathParameters: request.pathParameters ?? null };
}

describe('one rule for ids on every route (s3rver + dynalite)', () => {
  withLocalAws();
  const handlers = new Map<string, Handler>();

  beforeAll(async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    for (const name of ['recommend', 'similar', 'rank', 'events', 'items', 'forgetUser']) {
      handlers.set(name, ((await import(`../../functions/${name}/handler.ts`)) as { handler: Handler }).handler);
    }
  });

  const cases = Object.entries(ROUTES).flatMap(([route, make]) =>
    Object.entries(BAD_IDS).map(([what, id]) => [route, what, make(id)] as const),
  );

  it.each(cases)('%s refuses %s with a 400 naming the field', async (_route, _what, { handler, request, field }) => {
    const result = await invoke<{ error: string; field: string; message: string }>(handlers.get(handler)!, eventOf(request));
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({ error: 'invalid_request', field });
    expect(result.body.message).toContain(field);
  });

  it('takes an id as sent: " u1" is refused everywhere, never read as "u1"', async () => {
    const events = await invoke(handlers.get('events')!, apiGatewayEvent(ROUTES['POST events (userId)']('u1').request));
    expect(events.statusCode).toBe(202);
    for (const make of Object.values(ROUTES)) {
      const { handler, request } = make(' u1');
      expect((await invoke(handlers.get(handler)!, eventOf(request))).statusCode).toBe(400);
    }
  });

  it('refuses control and format characters in titles and names, and keeps ordinary spaces', async () => {
    const put = (body: unknown) =>
      invoke<{ field?: string; title?: string }>(
        handlers.get('items')!,
        apiGatewayEvent({ method: 'PUT', resource: '/v1/items/{itemId}', pathParameters: { itemId: 'film 1' }, body }),
      );
    for (const [body, field] of [
      [{ title: 'The \u202ELong Night' }, 'body.title'],
      [{ title: 'The\u0000Night' }, 'body.title'],
      [{ title: 'The \uD800 Night' }, 'body.title'],
      [{ title: 'Night', genres: ['Drama\u0007'] }, 'body.genres[0]'],
      [{ title: 'Night', cast: ['Ann\u200ELee'] }, 'body.cast[0]'],
    ] as const) {
      const result = await put(body);
      expect(result.statusCode, JSON.stringify(body)).toBe(400);
      expect(result.body.field).toBe(field);
    }
    const ok = await put({ title: 'The Long Night', cast: ['Ann Lee'] });
    expect(ok.body.title).toBe('The Long Night');
  });

  it('refuses an impossible date instead of storing the next valid one', async () => {
    const post = (timestamp: string) =>
      invoke<{ field?: string }>(
        handlers.get('events')!,
        apiGatewayEvent({
          method: 'POST',
          resource: '/v1/events',
          body: { events: [{ userId: 'u2', itemId: 'm1', type: 'click', timestamp }] },
        }),
      );
    for (const timestamp of ['2024-02-30', '2023-02-29T10:00:00Z', '2024-01-01T24:00:00Z']) {
      const result = await post(timestamp);
      expect(result.statusCode, timestamp).toBe(400);
      expect(result.body.field).toBe('body.events[0].timestamp');
    }
    expect((await post('2024-02-29T10:00:00Z')).statusCode).toBe(202);
    const recommend = await invoke<{ field?: string }>(
      handlers.get('recommend')!,
      apiGatewayEvent({
        method: 'POST',
        resource: '/v1/recommendations',
        body: { history: [{ itemId: 'm1', type: 'click', timestamp: '2024-02-30T00:00:00Z' }] },
      }),
    );
    expect(recommend.statusCode).toBe(400);
    expect(recommend.body.field).toBe('body.history[0].timestamp');
  });
});
