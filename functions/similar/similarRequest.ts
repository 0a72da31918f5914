import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { SimilarRequest } from '../commons/servingRecommender.ts';
import { countParam, genresParam, itemIdSchema, itemIdsParam, parseInput, queryParser, yearParam } from '../commons/servingRequest.ts';
import { checkYears } from '../recommend/recommendRequest.ts';

/** GET /v1/items/{itemId}/similar: `?count= &genre=…(repeatable) &yearFrom= &yearTo= &exclude=…(repeatable)`. */
export const parseSimilarQuery = queryParser({
  count: countParam,
  genre: genresParam,
  yearFrom: yearParam,
  yearTo: yearParam,
  exclude: itemIdsParam,
});

/** `?count=1..100 (10) &genre=…(repeatable) &yearFrom= &yearTo= &exclude=<itemId>(repeatable)` */
export function parseSimilarRequest(event: APIGatewayProxyEvent): SimilarRequest {
  const itemId = parseInput(itemIdSchema, event.pathParameters?.itemId ?? '', 'path.itemId');
  const query = parseSimilarQuery(event);
  checkYears(query.yearFrom, query.yearTo, 'query.yearTo');
  return {
    itemId,
    count: query.count,
    filter: { genres: query.genre, yearFrom: query.yearFrom, yearTo: query.yearTo },
    exclude: query.exclude,
  };
}
