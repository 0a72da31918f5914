import { describe, expect, it } from 'vitest';
import { renderGatewayError } from '../../../infra/local/gatewayResponses.ts';
import type { TemplateGatewayResponse } from '../../../infra/local/serviceDefinition.ts';

describe('renderGatewayError', () => {
  const custom = new Map<string, TemplateGatewayResponse>([
    [
      'MISSING_AUTHENTICATION_TOKEN',
      {
        type: 'MISSING_AUTHENTICATION_TOKEN',
        statusCode: 404,
        templates: { 'application/json': '{"error":"not_found","message":"no such route or method"}' },
        headers: {},
      },
    ],
    [
      'INVALID_API_KEY',
      {
        type: 'INVALID_API_KEY',
        templates: { 'application/json': '{"error":"forbidden","message":$context.error.messageString}' },
        headers: { 'Access-Control-Allow-Origin': '*' },
      },
    ],
    [
      'DEFAULT_5XX',
      {
        type: 'DEFAULT_5XX',
        templates: {
          'application/json':
            '{"error":"internal_error","message":$context.error.messageString,"type":"$context.error.responseType","requestId":"$context.requestId"}',
        },
        headers: {},
      },
    ],
  ]);

  it('renders the template customisation of the type, with its status and headers', () => {
    const forbidden = renderGatewayError('INVALID_API_KEY', custom, 'r1');
    expect(forbidden.statusCode).toBe(403);
    expect(JSON.parse(forbidden.body)).toEqual({ error: 'forbidden', message: 'Forbidden' });
    expect(forbidden.headers).toMatchObject({ 'Access-Control-Allow-Origin': '*', 'x-amzn-ErrorType': 'ForbiddenException' });
    const missing = renderGatewayError('MISSING_AUTHENTICATION_TOKEN', custom, 'r1');
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: 'not_found', message: 'no such route or method' });
  });

  it('falls back to DEFAULT_5XX for a type without its own customisation, keeping the error status', () => {
    const failed = renderGatewayError('INTEGRATION_FAILURE', custom, 'r2');
    expect(failed.statusCode).toBe(502);
    expect(JSON.parse(failed.body)).toEqual({
      error: 'internal_error',
      message: 'Internal server error',
      type: 'INTEGRATION_FAILURE',
      requestId: 'r2',
    });
  });

  it('answers API Gateway’s built-in {"message"} when the template customises nothing', () => {
    const none = new Map<string, TemplateGatewayResponse>();
    expect(renderGatewayError('INVALID_API_KEY', none, 'r')).toMatchObject({ statusCode: 403, body: '{"message":"Forbidden"}' });
    expect(renderGatewayError('MISSING_AUTHENTICATION_TOKEN', none, 'r')).toMatchObject({
      statusCode: 403,
      body: '{"message":"Missing Authentication Token"}',
    });
    expect(renderGatewayError('REQUEST_TOO_LARGE', none, 'r')).toMatchObject({ statusCode: 413 });
  });
});
