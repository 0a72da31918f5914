import type { APIGatewayProxyEvent } from 'aws-lambda';
import { countParam, genresParam, queryParser } from '../commons/servingRequest.ts';

/** GET /v1/popular: `?genre=…(repeatable) &count=`. */
export interface PopularInput {
  readonly count: number;
  readonly genres: string[];
}

export const parsePopularQuery = queryParser({ genre: genresParam, count: countParam });

/** `?genre=…(repeatable: any of them) &count=1..100 (10)` */
export function parsePopularRequest(event: APIGatewayProxyEvent): PopularInput {
  const query = parsePopularQuery(event);
  return { count: query.count, genres: query.genre };
}
