import { afterAll, describe, expect, it } from 'vitest';
import { appendEventsNdjson, parseEventLine, readEventsNdjson } from '../../../model/data/eventsNdjson.ts';
import { InteractionTableBuilder } from '../../../model/data/interactionTableBuilder.ts';
import { DataFormatError } from '../../../model/errors.ts';
import { tempFolder } from './tempFiles.ts';

const folder = tempFolder();
afterAll(() => folder.remove());

describe('parseEventLine', () => {
  it('reads an event with a numeric timestamp', () => {
    expect(parseEventLine('{"userId":"u1","itemId":"m1","type":"watch","value":0.7,"timestamp":1700000000}', 'f', 1)).toEqual({
      userId: 'u1',
      itemId: 'm1',
      type: 'watch',
      value: 0.7,
      timestamp: 1700000000,
    });
  });

  it('reads ISO timestamps, numeric ids, an event id, and null as no value', () => {
    const event = parseEventLine(
      '{"eventId":"e1","userId":7,"itemId":42,"type":"like","value":null,"timestamp":"2024-01-02T03:04:05Z"}',
      'f',
      1,
    );
    expect(event).toEqual({ eventId: 'e1', userId: '7', itemId: '42', type: 'like', timestamp: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000 });
    const at = (timestamp: string): number =>
      parseEventLine(JSON.stringify({ userId: 'u', itemId: 'i', type: 'click', timestamp }), 'f', 1).timestamp;
    expect(at('2024-01-02T03:04:05+02:00')).toBe(Date.UTC(2024, 0, 2, 1, 4, 5) / 1000);
    expect(at('2024-01-02T03:04:05+0200')).toBe(Date.UTC(2024, 0, 2, 1, 4, 5) / 1000);
    // No zone: UTC, so the result does not depend on the machine's time zone.
    expect(at('2024-01-02 03:04')).toBe(Date.UTC(2024, 0, 2, 3, 4) / 1000);
    expect(at('2024-01-02')).toBe(Date.UTC(2024, 0, 2) / 1000);
    expect(at('2024-01-02T03:04:05.500Z')).toBeCloseTo(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000 + 0.5, 6);
  });

  it.each([
    ['{"userId":"u","itemId":"i","type":"like","timestamp":1', 'invalid JSON'],
    ['[1,2]', 'must be a JSON object'],
    ['null', 'must be a JSON object'],
    ['{"itemId":"i","type":"like","timestamp":1}', 'missing userId'],
    ['{"userId":"  ","itemId":"i","type":"like","timestamp":1}', 'missing userId'],
    ['{"userId":"u","itemId":"","type":"like","timestamp":1}', 'missing itemId'],
    ['{"userId":"u","itemId":"i","type":"share","timestamp":1}', 'unknown event type "share"'],
    ['{"userId":"u","itemId":"i","timestamp":1}', 'unknown event type'],
    ['{"userId":"u","itemId":"i","type":"rating","timestamp":1}', 'needs a value'],
    ['{"userId":"u","itemId":"i","type":"rating","value":7,"timestamp":1}', 'outside'],
    ['{"userId":"u","itemId":"i","type":"rating","value":0,"timestamp":1}', 'outside'],
    ['{"userId":"u","itemId":"i","type":"watch","value":1.5,"timestamp":1}', 'watched fraction'],
    ['{"userId":"u","itemId":"i","type":"watch","value":"0.5","timestamp":1}', 'finite number'],
    ['{"userId":"u","itemId":"i","type":"like","value":1e999,"timestamp":1}', 'finite number'],
    ['{"userId":"u","itemId":"i","type":"like"}', 'missing timestamp'],
    ['{"userId":"u","itemId":"i","type":"like","timestamp":1e999}', 'timestamp must be'],
    ['{"userId":"u","itemId":"i","type":"like","timestamp":1700000000000}', 'milliseconds'],
    ['{"userId":"u","itemId":"i","type":"like","timestamp":"yesterday"}', 'not an ISO-8601'],
    ['{"userId":"u","itemId":"i","type":"like","timestamp":"March 7, 2024"}', 'not an ISO-8601'],
    ['{"userId":"u","itemId":"i","type":"like","timestamp":"2024-13-45"}', 'not an ISO-8601'],
    ['{"userId":"u","itemId":"i","type":"like","timestamp":"2024-02-30"}', 'not an ISO-8601'],
    ['{"userId":"u","itemId":"i","type":"like","timestamp":"2023-02-29T10:00:00Z"}', 'not an ISO-8601'],
  ])('rejects %s', (line, message) => {
    expect(() => parseEventLine(line, 'events.ndjson', 12)).toThrow(DataFormatError);
    expect(() => parseEventLine(line, 'events.ndjson', 12)).toThrow(`events.ndjson:12: `);
    expect(() => parseEventLine(line, 'events.ndjson', 12)).toThrow(message);
  });
});

describe('readEventsNdjson', () => {
  const lines = [
    '{"userId":"u1","itemId":"m1","type":"watch","value":0.8,"timestamp":100}',
    '',
    '{"userId":"u1","itemId":"m2","type":"rating","value":4.5,"timestamp":"1970-01-01T00:03:20Z"}',
    '   ',
    '{"userId":"u2","itemId":"m1","type":"dislike","timestamp":300}',
  ];

  it('streams events into a table, ignoring blank lines', async () => {
    const table = await readEventsNdjson(folder.write('events.ndjson', `${lines.join('\n')}\n`));
    expect(table.size).toBe(3);
    expect(table.userIds).toEqual(['u1', 'u2']);
    expect(table.itemIds).toEqual(['m1', 'm2']);
    expect(table.weights[0]).toBeCloseTo(0.8, 6);
    expect(Array.from(table.weights.subarray(1))).toEqual([1, 0]);
    expect(table.ratings[0]).toBeNaN();
    expect(table.ratings[1]).toBe(4.5);
    expect(Array.from(table.timestamps)).toEqual([100, 200, 300]);
  });

  it('names the file and the line (blank lines counted) of a bad event', async () => {
    const path = folder.write('bad.ndjson', [...lines, '', '{"userId":"u3","itemId":"m1","type":"like","timestamp":"soon"}'].join('\n'));
    const error = await readEventsNdjson(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).file).toBe(path);
    expect((error as DataFormatError).line).toBe(7);
  });

  it('skips and counts bad lines when given onInvalidLine', async () => {
    const path = folder.write(
      'mixed.ndjson',
      [lines[0], 'not json', lines[2], '{"userId":"u","itemId":"m","type":"nope","timestamp":1}'].join('\n'),
    );
    const bad: number[] = [];
    const builder = new InteractionTableBuilder();
    const stats = await appendEventsNdjson(path, builder, { onInvalidLine: (e) => bad.push(e.line) });
    expect(stats).toEqual({ lines: 4, skipped: 2 });
    expect(bad).toEqual([2, 4]);
    expect(builder.size).toBe(2);
  });

  it('gathers several files into one builder', async () => {
    const builder = new InteractionTableBuilder();
    await appendEventsNdjson(folder.write('a.ndjson', lines[0]), builder);
    const table = await readEventsNdjson(folder.write('b.ndjson', lines[4]), builder);
    expect(table.size).toBe(2);
    expect(table.userIds).toEqual(['u1', 'u2']);
  });
});
