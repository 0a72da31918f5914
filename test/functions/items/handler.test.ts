import type { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { catalogChangesSince } from '../../../functions/commons/catalogStore.ts';
import { logger } from '../../../functions/commons/observability.ts';
import { catalogItemKey } from '../../../functions/commons/storageLayout.ts';
import { createItemsHandler, handler as defaultHandler } from '../../../functions/items/handler.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { invoke, type TestRequest } from '../events/apiGatewayEvent.ts';
import { keysUnder, objectsUnder, unreachableClients } from '../events/localStores.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

const NOW = new Date('2026-06-01T12:00:00.000Z');

const put = (itemId: string, body: unknown): TestRequest => ({
  method: 'PUT',
  resource: '/v1/items/{itemId}',
  pathParameters: { itemId },
  body,
});
const get = (itemId: string): TestRequest => ({ method: 'GET', resource: '/v1/items/{itemId}', pathParameters: { itemId } });
const post = (body: unknown): TestRequest => ({ method: 'POST', resource: '/v1/items', body });

describe('the catalog API (PUT/GET /v1/items/{itemId}, POST /v1/items) against s3rver', () => {
  const local = withLocalAws();
  let clock = NOW;
  const s3 = (): S3Client => createAwsClients({ s3ForcePathStyle: true }).s3;
  const handler = () => createItemsHandler({ stores: () => ({ s3: s3(), bucket: local().bucketName }), now: () => clock });
  beforeAll(() => logger.setLogLevel('SILENT'));

  it('upserts a title with PUT, stores it under catalog/items/, and reads it back with GET', async () => {
    const body = {
      title: '  The Long Night ',
      genres: ['Drama', 'Noir'],
      people: { cast: ['Ann Lee'], directors: ['Bo Kim'] },
      year: 1994,
      tags: ['rain'],
    };
    const created = await invoke(handler(), put('film-100', body));
    expect(created.statusCode).toBe(201);
    const expected = {
      itemId: 'film-100',
      title: 'The Long Night',
      genres: ['Drama', 'Noir'],
      cast: ['Ann Lee'],
      directors: ['Bo Kim'],
      year: 1994,
      tags: ['rain'],
      updatedAt: NOW.toISOString(),
    };
    expect(created.json).toEqual(expected);
    expectMatchesApi('PUT /v1/items/{itemId}', { ...created, body: created.json });
    const read = await invoke(handler(), get('film-100'));
    expect(read.statusCode).toBe(200);
    expectMatchesApi('GET /v1/items/{itemId}', { ...read, body: read.json });
    expect(read.json).toEqual(expected);
    const stored = (await objectsUnder(s3(), local().bucketName, catalogItemKey('film-100'))).map((o) => JSON.parse(o.text));
    expect(stored).toEqual([expected]);

    // A second PUT replaces the title whole.
    clock = new Date(NOW.getTime() + 1000);
    const replaced = await invoke(handler(), put('film-100', { title: 'The Long Night (Director’s Cut)', cast: ['Ann Lee', 'Cy Dee'] }));
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json).toMatchObject({ genres: [], cast: ['Ann Lee', 'Cy Dee'], directors: [], tags: [] });
    expect(replaced.json).not.toHaveProperty('year');
    expect((await invoke(handler(), get('film-100'))).json.title).toBe('The Long Night (Director’s Cut)');
    clock = NOW;
  });

  it('works with the bucket of the environment (the deployed handler)', async () => {
    expect((await invoke(defaultHandler, put('env-film', { title: 'Env' }))).statusCode).toBe(201);
    expect((await invoke(defaultHandler, get('env-film'))).json.title).toBe('Env');
  });

  it('merges people given both as people{} and top-level cast/directors', async () => {
    const response = await invoke(
      handler(),
      put('film-merge', { title: 'M', people: { cast: ['A', 'B'] }, cast: ['B', 'C'], directors: ['D'] }),
    );
    expect(response.json).toMatchObject({ cast: ['A', 'B', 'C'], directors: ['D'] });
  });

  it('round-trips ids that need escaping in a key', async () => {
    const itemId = 'tt/001 ?&é';
    expect((await invoke(handler(), put(itemId, { title: 'Odd id' }))).statusCode).toBe(201);
    expect((await invoke(handler(), get(itemId))).json).toMatchObject({ itemId, title: 'Odd id' });
  });

  it('upserts up to 100 titles with POST and records one change listing them', async () => {
    // Later than any other change of this suite (some use the real clock).
    clock = new Date('2099-06-02T00:00:00.000Z');
    const items = Array.from({ length: 100 }, (_, i) => ({
      itemId: `batch-${i}`,
      title: `Batch ${i}`,
      genres: ['Comedy'],
      year: 2000 + (i % 20),
    }));
    const response = await invoke(handler(), post({ items }));
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ upserted: 100, itemIds: items.map((item) => item.itemId) });
    expect((await invoke(handler(), get('batch-57'))).json).toMatchObject({ title: 'Batch 57', year: 2017, genres: ['Comedy'] });
    const changes = await catalogChangesSince(s3(), local().bucketName, clock);
    expect(changes).toHaveLength(1);
    expect(changes[0].itemIds).toEqual(items.map((item) => item.itemId));
    expect(changes[0].changedAt).toBe(clock.toISOString());
    clock = NOW;
  });

  it('answers 404 JSON for an unknown id', async () => {
    const response = await invoke(handler(), get('no-such-film'));
    expect(response.statusCode).toBe(404);
    expect(response.json).toMatchObject({ error: 'not_found', field: 'path.itemId' });
  });

  it('answers 405 for a method the route does not serve', async () => {
    const response = await invoke(handler(), { method: 'DELETE', resource: '/v1/items/{itemId}', pathParameters: { itemId: 'x' } });
    expect(response.statusCode).toBe(405);
    expect(response.headers.Allow).toBe('GET, PUT');
  });

  it('answers 503 when S3 is down', async () => {
    const down = await unreachableClients();
    const h = createItemsHandler({ stores: () => ({ s3: down.s3, bucket: local().bucketName }), now: () => clock });
    expect((await invoke(h, put('down-film', { title: 'Down' }))).statusCode).toBe(503);
    const read = await invoke(h, get('film-100'));
    expect(read.statusCode).toBe(503);
    expect(read.headers['Retry-After']).toBe('2');
  });

  describe('bad input: 400 naming the field, nothing stored', () => {
    const cases: { name: string; request: TestRequest; status: number; field: string }[] = [
      { name: 'a PUT without a title', request: put('bad-1', { genres: ['x'] }), status: 400, field: 'body.title' },
      { name: 'a PUT with an empty title', request: put('bad-1', { title: '  ' }), status: 400, field: 'body.title' },
      { name: 'genres that are not a list', request: put('bad-1', { title: 'T', genres: 'Drama' }), status: 400, field: 'body.genres' },
      {
        name: 'a genre that is not a string',
        request: put('bad-1', { title: 'T', genres: ['Drama', 5] }),
        status: 400,
        field: 'body.genres[1]',
      },
      { name: 'a year that is not whole', request: put('bad-1', { title: 'T', year: 1994.5 }), status: 400, field: 'body.year' },
      { name: 'a year out of range', request: put('bad-1', { title: 'T', year: 19940 }), status: 400, field: 'body.year' },
      { name: 'an unknown field', request: put('bad-1', { title: 'T', gnres: ['x'] }), status: 400, field: 'body' },
      { name: 'people of the wrong shape', request: put('bad-1', { title: 'T', people: ['A'] }), status: 400, field: 'body.people' },
      {
        name: 'a body itemId that differs from the path',
        request: put('bad-1', { itemId: 'other', title: 'T' }),
        status: 400,
        field: 'body.itemId',
      },
      { name: 'a blank path id', request: put('  ', { title: 'T' }), status: 400, field: 'path.itemId' },
      { name: 'malformed JSON', request: put('bad-1', '{"title": '), status: 400, field: 'body' },
      { name: 'a PUT without a body', request: put('bad-1', undefined), status: 400, field: 'body' },
      {
        name: 'a POST over 100 items',
        request: post({ items: Array.from({ length: 101 }, (_, i) => ({ itemId: `b${i}`, title: 'T' })) }),
        status: 400,
        field: 'body.items',
      },
      {
        name: 'a POST item without an id',
        request: post({ items: [{ itemId: 'ok', title: 'T' }, { title: 'T' }] }),
        status: 400,
        field: 'body.items[1].itemId',
      },
      {
        name: 'a POST repeating an id',
        request: post({
          items: [
            { itemId: 'a', title: 'T' },
            { itemId: 'b', title: 'T' },
            { itemId: 'a', title: 'U' },
          ],
        }),
        status: 400,
        field: 'body.items[2].itemId',
      },
      { name: 'a POST without items', request: post({ item: [] }), status: 400, field: 'body.items' },
      { name: 'a body over 256 KB', request: put('bad-1', { title: 'x'.repeat(300 * 1024) }), status: 413, field: 'body' },
    ];
    for (const c of cases) {
      it(`rejects ${c.name} with ${c.status} naming ${c.field}`, async () => {
        const before = await keysUnder(s3(), local().bucketName, 'catalog/');
        const response = await invoke(handler(), c.request);
        expect(response.statusCode).toBe(c.status);
        expect(response.json.field).toBe(c.field);
        expect(await keysUnder(s3(), local().bucketName, 'catalog/')).toEqual(before);
      });
    }
  });
});
