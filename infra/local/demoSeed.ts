import { mapConcurrent } from '../../functions/commons/mapConcurrent.ts';
import { MAX_EVENTS_PER_BATCH } from '../../functions/events/eventsSchema.ts';
import { MAX_ITEMS_PER_BATCH } from '../../functions/items/itemSchema.ts';
import { generateDemoCatalog } from '../../model/data/demoCatalog.ts';
import type { LocalResponse } from './localApi.ts';
import type { LocalRequest } from './proxyEvent.ts';

export interface DemoSeedOptions {
  readonly seed: number;
  /** Titles (default 400). */
  readonly items?: number;
  /** Viewers (default 300). */
  readonly users?: number;
  /** Mean events per viewer (default 40). */
  readonly interactionsPerUser?: number;
}

export interface DemoSeedResult {
  readonly items: number;
  readonly users: number;
  readonly events: number;
}

/** A request to the local API: LocalApi.handle. */
export type ApiDispatch = (request: LocalRequest) => Promise<LocalResponse>;

/** Batches in flight at once. */
const CONCURRENCY = 4;

/**
 * Loads the demo catalog (model/data/demoCatalog.ts) the way a client would: its titles through
 * `POST /v1/items` and its viewers' interactions through `POST /v1/events`, in batches of the
 * API's maximum, with the API key. The events carry no eventId: each is new, and checking ids
 * would cost the idempotency table a write per event. `onProgress(done, total)` counts requests;
 * `signal` stops it between batches.
 */
export async function seedDemo(
  dispatch: ApiDispatch,
  apiKey: string,
  options: DemoSeedOptions,
  onProgress: (done: number, total: number) => void = () => undefined,
  signal?: AbortSignal,
): Promise<DemoSeedResult> {
  const catalog = generateDemoCatalog(options);
  const itemBatches = chunk(catalog.items, MAX_ITEMS_PER_BATCH);
  const eventBatches = chunk(catalog.events, MAX_EVENTS_PER_BATCH);
  const total = itemBatches.length + eventBatches.length;
  let done = 0;
  onProgress(done, total);
  const post = async (path: string, body: unknown): Promise<void> => {
    signal?.throwIfAborted();
    const response = await dispatch({
      method: 'POST',
      url: path,
      headers: [
        ['Content-Type', 'application/json'],
        ['x-api-key', apiKey],
        ['User-Agent', 'marquee-local-seed'],
      ],
      body: Buffer.from(JSON.stringify(body), 'utf8'),
    });
    const text = response.body.toString('utf8');
    if (response.statusCode >= 300) throw new Error(`POST ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
    onProgress(++done, total);
  };

  // Titles first: an event's title is then known to the catalog.
  await mapConcurrent(itemBatches, CONCURRENCY, (items) => post('/v1/items', { items }));
  await mapConcurrent(eventBatches, CONCURRENCY, (batch) => post('/v1/events', { events: batch }));
  return { items: catalog.items.length, users: new Set(catalog.events.map((event) => event.userId)).size, events: catalog.events.length };
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < list.length; i += size) chunks.push(list.slice(i, i + size));
  return chunks;
}
