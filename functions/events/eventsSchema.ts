import * as z from 'zod';
import { EVENT_WEIGHTS } from '../../model/constants.ts';
import { MAX_TIMESTAMP_SECONDS, RATING_MAX, RATING_MIN } from '../../model/data/fields.ts';
import { parseIsoDateTime } from '../../model/data/isoDateTime.ts';
import type { InteractionType } from '../../model/types/interactions.ts';
import { idSchema } from '../commons/idSchema.ts';

/** Events one request may carry. */
export const MAX_EVENTS_PER_BATCH = 100;
/** How far past the server's clock an event's timestamp may lie (clients' clocks drift). */
export const MAX_FUTURE_SECONDS = 86_400;

const EVENT_TYPES = Object.keys(EVENT_WEIGHTS) as [InteractionType, ...InteractionType[]];

const required = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : what);

/**
 * Seconds since the epoch (a number; milliseconds are refused rather than misread) or an ISO-8601
 * date-time of a real calendar instant (parseIsoDateTime, as the NDJSON loader reads), as seconds.
 */
const timestampSchema = z
  .union([z.number(), z.string()], { error: 'must be seconds since the epoch or an ISO-8601 date-time' })
  .transform((raw, ctx): number => {
    let seconds = Number.NaN;
    if (typeof raw === 'number') {
      seconds = raw;
    } else {
      seconds = parseIsoDateTime(raw) ?? Number.NaN;
      if (!Number.isFinite(seconds)) {
        ctx.issues.push({
          code: 'custom',
          message: `is not an ISO-8601 date-time of a real calendar date: ${JSON.stringify(raw)}`,
          input: raw,
        });
        return z.NEVER;
      }
    }
    if (seconds < 0) {
      ctx.issues.push({ code: 'custom', message: 'must not be before 1970', input: raw });
      return z.NEVER;
    }
    if (seconds >= MAX_TIMESTAMP_SECONDS) {
      ctx.issues.push({ code: 'custom', message: `${raw} looks like milliseconds; send seconds since the epoch`, input: raw });
      return z.NEVER;
    }
    return seconds;
  });

/** One event as a client sends it. Unknown fields are refused (a misspelt `timestamp` must not pass as "now"). */
export const eventSchema = z
  .strictObject({
    eventId: idSchema.optional(),
    userId: idSchema,
    itemId: idSchema,
    type: z.enum(EVENT_TYPES, { error: required(`must be one of ${EVENT_TYPES.join(', ')}`) }),
    // Values are kept to 6 decimals: what every store can hold exactly (DynamoDB numbers stop at
    // 1e-130 and 1e126), and finer than any rating or watched fraction needs.
    value: z
      .number({ error: 'must be a number' })
      .min(-1e9, 'must be between -1e9 and 1e9')
      .max(1e9, 'must be between -1e9 and 1e9')
      .transform((value) => Math.round(value * 1e6) / 1e6 + 0)
      .nullish(),
    timestamp: timestampSchema.optional(),
  })
  .superRefine((event, ctx) => {
    const { type, value } = event;
    if (type === 'rating') {
      if (value === undefined || value === null) {
        ctx.addIssue({ code: 'custom', path: ['value'], message: `is required for a rating (${RATING_MIN}–${RATING_MAX} stars)` });
      } else if (!(value >= RATING_MIN && value <= RATING_MAX)) {
        ctx.addIssue({ code: 'custom', path: ['value'], message: `a rating must be ${RATING_MIN}–${RATING_MAX} stars, got ${value}` });
      }
    } else if (type === 'watch' && value !== undefined && value !== null && !(value >= 0 && value <= 1)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `a watch value is the watched fraction 0–1, got ${value}` });
    }
  });

export type EventInput = z.output<typeof eventSchema>;

/** The body of POST /v1/events. */
export const eventsBodySchema = z.strictObject({
  events: z
    .array(eventSchema, { error: required('must be an array of events') })
    .min(1, { error: 'must hold at least one event' })
    .max(MAX_EVENTS_PER_BATCH, { error: `must hold at most ${MAX_EVENTS_PER_BATCH} events (send larger sets in several requests)` }),
});

/** The request as validated: the body under `body`, so that error paths read `body.events[3].type`. */
export const eventsRequestSchema = z.object({ body: eventsBodySchema });
