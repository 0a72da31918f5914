import { jsonResponse } from '../commons/httpResponse.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import { queryParser } from '../commons/servingRequest.ts';
import { openApiDocument } from './openApiDocument.ts';

// GET /v1/openapi.json takes no query parameters: any is a 400 naming it.
const parseNoQuery = queryParser({});
let document: object | undefined;

/**
 * GET /v1/openapi.json — no key needed: the API description, built once per container from the
 * schemas the handlers validate with (functions/openapi/openApiDocument.ts).
 */
export const handler = servingHandler<void, undefined>({
  functionName: 'OpenApi',
  routes: { 'GET /v1/openapi.json': { parse: (event) => void parseNoQuery(event) } },
  handle: () => {
    document ??= openApiDocument();
    return jsonResponse(200, document);
  },
});
