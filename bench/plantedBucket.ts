// Writes a PlantedCatalog into a bucket exactly as the service stores it: titles under
// catalog/items/ (putCatalogItems), events as NDJSON objects under events/<yyyy>/<mm>/<dd>/<hh>/
// (one or more objects per hour, eventLine's format, eventIds unique), so that the retrain reads
// them through its own code (readTrainingSnapshot, readCatalogSnapshot).
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { putCatalogItems } from '../functions/commons/catalogStore.ts';
import { eventLine } from '../functions/commons/eventLog.ts';
import { mapConcurrent } from '../functions/commons/mapConcurrent.ts';
import { eventsBatchKey, keyTime } from '../functions/commons/storageLayout.ts';
import { PLANTED_EVENT_TYPES, type PlantedCatalog, type PlantedEvents } from '../model/data/plantedCatalog.ts';

/** Events per NDJSON object at most (an hour's events are split into objects of this size). */
const EVENTS_PER_OBJECT = 10_000;
const HOUR_SECONDS = 3_600;

/** Every title, 100 per putCatalogItems call, 8 calls at once. */
export async function writePlantedCatalog(s3: S3Client, bucket: string, catalog: PlantedCatalog, titles = catalog.titles): Promise<void> {
  const starts = Array.from({ length: Math.ceil(titles / 100) }, (_, b) => b * 100);
  await mapConcurrent(starts, 8, async (start) => {
    const items = [];
    for (let i = start; i < Math.min(start + 100, titles); i++) items.push(catalog.item(i));
    await putCatalogItems(s3, bucket, items);
  });
}

/**
 * The rows of `events` whose day is in [fromDay, toDay), written hour by hour (a counting sort of
 * the rows by hour, so nothing is sorted by comparison). Returns the events and objects written.
 */
export async function writePlantedEvents(
  s3: S3Client,
  bucket: string,
  catalog: PlantedCatalog,
  events: PlantedEvents,
  range: { fromDay: number; toDay: number },
  onProgress?: (objects: number) => void,
): Promise<{ events: number; objects: number }> {
  const hours = catalog.days * 24;
  const hourOf = (r: number): number => Math.floor((events.timestamps[r] - catalog.startTime) / HOUR_SECONDS);
  const offsets = new Int32Array(hours + 1);
  for (let r = 0; r < events.size; r++) {
    if (events.days[r] >= range.fromDay && events.days[r] < range.toDay) offsets[hourOf(r) + 1]++;
  }
  for (let h = 0; h < hours; h++) offsets[h + 1] += offsets[h];
  const order = new Int32Array(offsets[hours]);
  const cursor = offsets.slice(0, hours);
  for (let r = 0; r < events.size; r++) {
    if (events.days[r] >= range.fromDay && events.days[r] < range.toDay) order[cursor[hourOf(r)]++] = r;
  }
  const objects: { hour: number; from: number; to: number }[] = [];
  for (let h = 0; h < hours; h++) {
    for (let from = offsets[h]; from < offsets[h + 1]; from += EVENTS_PER_OBJECT)
      objects.push({ hour: h, from, to: Math.min(from + EVENTS_PER_OBJECT, offsets[h + 1]) });
  }
  let written = 0;
  await mapConcurrent(objects, 8, async ({ hour, from, to }) => {
    const lines: string[] = [];
    for (let p = from; p < to; p++) {
      const r = order[p];
      const type = PLANTED_EVENT_TYPES[events.types[r]];
      const value = events.values[r];
      lines.push(
        eventLine({
          eventId: `e${r}`,
          userId: catalog.userId(events.viewers[r]),
          itemId: catalog.itemId(events.titles[r]),
          type,
          ...(Number.isNaN(value) ? {} : { value }),
          timestamp: events.timestamps[r],
        }),
      );
    }
    const acceptedAt = new Date((catalog.startTime + (hour + 1) * HOUR_SECONDS) * 1000 - 1000);
    const key = eventsBatchKey(acceptedAt, `${keyTime(acceptedAt)}-${String(from).padStart(10, '0')}`);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${lines.join('\n')}\n`, ContentType: 'application/x-ndjson' }));
    if (++written % 200 === 0) onProgress?.(written);
  });
  return { events: order.length, objects: objects.length };
}
