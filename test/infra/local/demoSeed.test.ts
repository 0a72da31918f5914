import { describe, expect, it } from 'vitest';
import { MAX_EVENTS_PER_BATCH } from '../../../functions/events/eventsSchema.ts';
import { MAX_ITEMS_PER_BATCH } from '../../../functions/items/itemSchema.ts';
import { seedDemo } from '../../../infra/local/demoSeed.ts';
import type { LocalResponse } from '../../../infra/local/localApi.ts';
import { lastHeader, type LocalRequest } from '../../../infra/local/proxyEvent.ts';
import { generateDemoCatalog } from '../../../model/data/demoCatalog.ts';

const ok: LocalResponse = { statusCode: 200, headers: {}, body: Buffer.from('{}') };

describe('seedDemo', () => {
  const options = { seed: 3, items: 150, users: 40, interactionsPerUser: 12 };

  it('posts every title, then every event, in batches the API takes, with the key, counting requests', async () => {
    const requests: LocalRequest[] = [];
    const progress: [number, number][] = [];
    const result = await seedDemo(
      async (request) => {
        requests.push(request);
        return ok;
      },
      'the-key-of-the-test-0123',
      options,
      (done, total) => progress.push([done, total]),
    );
    const demo = generateDemoCatalog(options);
    const bodies = requests.map(
      (request) => JSON.parse(request.body!.toString('utf8')) as { items?: unknown[]; events?: { userId: string; eventId?: string }[] },
    );
    const itemRequests = requests.filter((request) => request.url === '/v1/items');
    const eventRequests = requests.filter((request) => request.url === '/v1/events');
    expect(
      requests.every((request) => request.method === 'POST' && lastHeader(request.headers, 'x-api-key') === 'the-key-of-the-test-0123'),
    ).toBe(true);
    expect(requests.findIndex((request) => request.url === '/v1/events')).toBe(itemRequests.length);
    expect(bodies.flatMap((body) => body.items ?? [])).toEqual(demo.items);
    expect(bodies.flatMap((body) => body.events ?? [])).toEqual(demo.events);
    expect(
      bodies.every((body) => (body.items?.length ?? 0) <= MAX_ITEMS_PER_BATCH && (body.events?.length ?? 0) <= MAX_EVENTS_PER_BATCH),
    ).toBe(true);
    expect(result).toEqual({ items: 150, users: new Set(demo.events.map((event) => event.userId)).size, events: demo.events.length });
    expect(progress.at(-1)).toEqual([itemRequests.length + eventRequests.length, itemRequests.length + eventRequests.length]);
  });

  it('stops at the first answer that is not a success, saying which', async () => {
    await expect(
      seedDemo(
        async (request) =>
          request.url === '/v1/events' ? { statusCode: 400, headers: {}, body: Buffer.from('{"error":"invalid_request"}') } : ok,
        'k',
        options,
      ),
    ).rejects.toThrow(/POST \/v1\/events answered 400: \{"error":"invalid_request"\}/);
  });
});
