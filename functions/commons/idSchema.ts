import * as z from 'zod';

/** Longest id (characters) of a user, item or event: ids are DynamoDB keys and S3 key segments. */
export const MAX_ID_LENGTH = 256;

/**
 * A user, item or event id as clients send it: a non-empty string (trimmed, as the training
 * loaders trim) or an integer, read as its decimal text.
 */
export const idSchema = z
  .union([z.string(), z.number().int()], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be a non-empty string or an integer'),
  })
  .transform((id) => (typeof id === 'number' ? String(id) : id.trim()))
  .pipe(
    z
      .string()
      .min(1, { error: 'must not be empty' })
      .max(MAX_ID_LENGTH, { error: `must be at most ${MAX_ID_LENGTH} characters` }),
  );
