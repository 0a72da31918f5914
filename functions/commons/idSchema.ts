import * as z from 'zod';
import { unsafeCharacter } from './unsafeCharacter.ts';

/** Longest id (characters) of a user, item or event: ids are DynamoDB keys and S3 key segments. */
export const MAX_ID_LENGTH = 256;

/**
 * The one rule for a user, item or event id, wherever it comes from (path, query, body, CLI):
 * a string as sent — never trimmed, so `" u1"` is refused rather than taken for `"u1"` on one
 * route and for another viewer on the next — or a safe integer, read as its decimal text.
 * Refused: blank, leading or trailing whitespace, control and format characters, lone
 * surrogates, more than MAX_ID_LENGTH characters. Returns the id, or the reason it is none.
 */
export function readId(value: unknown): { readonly id: string } | { readonly error: string } {
  if (value === undefined) return { error: 'is required' };
  if (typeof value === 'number')
    return Number.isSafeInteger(value) ? { id: String(value) } : { error: 'must be a non-empty string or an integer' };
  if (typeof value !== 'string') return { error: 'must be a non-empty string or an integer' };
  if (value.trim().length === 0) return { error: value.length === 0 ? 'must not be empty' : 'must not be blank' };
  if (/^\s|\s$/u.test(value)) return { error: 'must not start or end with whitespace' };
  const unsafe = unsafeCharacter(value);
  if (unsafe !== undefined) return { error: `must not hold control or format characters (${unsafe})` };
  if (value.length > MAX_ID_LENGTH) return { error: `must be at most ${MAX_ID_LENGTH} characters` };
  return { id: value };
}

/** readId as a zod transform: the id's text, or an issue with readId's reason. */
function toId(value: unknown, ctx: z.core.$RefinementCtx<unknown>): string {
  const read = readId(value);
  if ('id' in read) return read.id;
  ctx.addIssue({ code: 'custom', message: read.error });
  return z.NEVER;
}

const ID_TEXT = { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, pattern: '^\\S(.*\\S)?$' } as const;
const ID_DESCRIPTION = 'An id: no leading or trailing whitespace, no control or format characters.';

/** An id in a JSON body: a string or an integer (readId); its JSON Schema says so for the API description. */
export const idSchema = z
  .unknown()
  .transform(toId)
  .meta({ description: `${ID_DESCRIPTION} An integer is read as its decimal text.`, anyOf: [ID_TEXT, { type: 'integer' }] });

/** An id in a path or a query string, which are text (readId). */
export const idParamSchema = z
  .string()
  .transform(toId)
  .meta({ description: ID_DESCRIPTION, ...ID_TEXT });
