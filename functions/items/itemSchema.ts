import * as z from 'zod';
import type { CatalogItem } from '../../model/types/catalog.ts';
import { idSchema } from '../commons/idSchema.ts';
import { textSchema } from '../commons/textSchema.ts';

/** Items one POST /v1/items may carry. */
export const MAX_ITEMS_PER_BATCH = 100;

const names = (what: string, maxCount: number) =>
  z.array(textSchema(200), { error: `must be an array of ${what} names` }).max(maxCount, { error: `at most ${maxCount} entries` });

/**
 * A title's metadata as clients send it; text fields follow textSchema (no control or format
 * characters). People are `people: {cast, directors}` or, equally,
 * top-level `cast` / `directors` (both forms may be mixed; the names are merged). Unknown fields
 * are refused so that a misspelt field is reported rather than dropped.
 */
const itemFields = {
  title: textSchema(500),
  genres: names('genre', 50).optional(),
  cast: names('cast member', 200).optional(),
  directors: names('director', 50).optional(),
  people: z
    .strictObject(
      { cast: names('cast member', 200).optional(), directors: names('director', 50).optional() },
      { error: 'must be an object {cast, directors}' },
    )
    .optional(),
  year: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole year' })
    .min(1800, { error: 'must be 1800 or later' })
    .max(2200, { error: 'must be 2200 or earlier' })
    .nullish(),
  tags: names('tag', 100).optional(),
};

/** PUT /v1/items/{itemId}: the id is the path's; a body itemId, when given, must match it. */
export const putItemRequestSchema = z.object({
  path: z.object({ itemId: idSchema }),
  body: z.strictObject({ itemId: idSchema.optional(), ...itemFields }, { error: 'must be a JSON object' }),
});

/** POST /v1/items: `{items: [{itemId, title, …}, …]}`, 1–100 items, each id once. */
export const postItemsRequestSchema = z.object({
  body: z.strictObject(
    {
      items: z
        .array(z.strictObject({ itemId: idSchema, ...itemFields }, { error: 'must be a JSON object' }), {
          error: (issue) => (issue.input === undefined ? 'is required' : 'must be an array of items'),
        })
        .min(1, { error: 'must hold at least one item' })
        .max(MAX_ITEMS_PER_BATCH, { error: `must hold at most ${MAX_ITEMS_PER_BATCH} items (send larger catalogs in several requests)` })
        .superRefine((items, ctx) => {
          const first = new Map<string, number>();
          items.forEach((item, index) => {
            const earlier = first.get(item.itemId);
            if (earlier !== undefined)
              ctx.addIssue({ code: 'custom', path: [index, 'itemId'], message: `repeats the itemId of items[${earlier}]` });
            else first.set(item.itemId, index);
          });
        }),
    },
    { error: 'must be a JSON object' },
  ),
});

export const itemPathSchema = z.object({ path: z.object({ itemId: idSchema }) });

type ItemFields = z.output<z.ZodObject<typeof itemFields>>;

/** The CatalogItem of validated fields: people merged (first mention kept), absent lists empty. */
export function toCatalogItem(itemId: string, fields: ItemFields): CatalogItem {
  const merge = (...lists: (readonly string[] | undefined)[]): string[] => [...new Set(lists.flatMap((list) => list ?? []))];
  return {
    itemId,
    title: fields.title,
    genres: merge(fields.genres),
    cast: merge(fields.people?.cast, fields.cast),
    directors: merge(fields.people?.directors, fields.directors),
    ...(fields.year === undefined || fields.year === null ? {} : { year: fields.year }),
    tags: merge(fields.tags),
  };
}
