import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/openapi/handler.ts';
import { openApiDocument } from '../../../functions/openapi/openApiDocument.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

const ROUTE = 'GET /v1/openapi.json';

describe('OpenApi handler', () => {
  it('answers the API description, with no configuration and no key', async () => {
    const result = await invoke(handler, apiGatewayEvent({ method: 'GET', resource: '/v1/openapi.json' }));
    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual(openApiDocument());
    expectMatchesApi(ROUTE, result);
  });

  it('400 naming an unknown query parameter, in the error shape', async () => {
    const result = await invoke(handler, apiGatewayEvent({ method: 'GET', resource: '/v1/openapi.json', query: { format: 'yaml' } }));
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({ error: 'invalid_request', field: 'query.format' });
    expectMatchesApi(ROUTE, result);
  });
});
