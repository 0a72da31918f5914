import { describe, expect, it } from 'vitest';
import { lastHeader, proxyEvent, splitUrl } from '../../../infra/local/proxyEvent.ts';

describe('proxyEvent', () => {
  const context = {
    resource: '/v1/items/{itemId}/similar',
    pathParameters: { itemId: 'm 1' },
    stage: 'dev',
    requestId: 'req-1',
    apiKey: 'k'.repeat(40),
  };

  it('builds the REST proxy event: last value of a repeated header or query parameter, all of them in the multi-value maps', () => {
    const event = proxyEvent(
      {
        method: 'GET',
        url: '/v1/items/m%201/similar?genre=drama&genre=Sci%2DFi&count=5&flag',
        headers: [
          ['Host', 'localhost:3000'],
          ['X-Trace', 'a'],
          ['X-Trace', 'b'],
          ['User-Agent', 'test-agent'],
        ],
        sourceIp: '::1',
      },
      context,
    );
    expect(event.resource).toBe('/v1/items/{itemId}/similar');
    expect(event.path).toBe('/v1/items/m%201/similar');
    expect(event.httpMethod).toBe('GET');
    expect(event.pathParameters).toEqual({ itemId: 'm 1' });
    expect(event.headers['X-Trace']).toBe('b');
    expect(event.multiValueHeaders['X-Trace']).toEqual(['a', 'b']);
    expect(event.queryStringParameters).toEqual({ genre: 'Sci-Fi', count: '5', flag: '' });
    expect(event.multiValueQueryStringParameters).toEqual({ genre: ['drama', 'Sci-Fi'], count: ['5'], flag: [''] });
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext).toMatchObject({
      stage: 'dev',
      requestId: 'req-1',
      resourcePath: '/v1/items/{itemId}/similar',
      path: '/dev/v1/items/m%201/similar',
      httpMethod: 'GET',
      domainName: 'localhost:3000',
      identity: { sourceIp: '::1', userAgent: 'test-agent', apiKey: context.apiKey },
    });
  });

  it('has null query maps without a query, and the body as text', () => {
    const event = proxyEvent(
      { method: 'POST', url: '/v1/rank', headers: [], body: Buffer.from('{"a":"é"}') },
      { ...context, pathParameters: null },
    );
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.pathParameters).toBeNull();
    expect(event.body).toBe('{"a":"é"}');
  });

  it('has a null body for an empty one', () => {
    expect(proxyEvent({ method: 'POST', url: '/x', headers: [], body: Buffer.alloc(0) }, context).body).toBeNull();
  });

  it('keeps malformed percent-escapes as sent', () => {
    expect(proxyEvent({ method: 'GET', url: '/x?q=%E0%A4%A', headers: [] }, context).queryStringParameters).toEqual({ q: '%E0%A4%A' });
  });

  it('splits a URL and finds headers case-insensitively, the last one winning', () => {
    expect(splitUrl('/a/b?x=1')).toEqual(['/a/b', 'x=1']);
    expect(splitUrl('/a')).toEqual(['/a', '']);
    expect(
      lastHeader(
        [
          ['X-Api-Key', 'one'],
          ['x-api-key', 'two'],
        ],
        'x-api-key',
      ),
    ).toBe('two');
    expect(lastHeader([], 'x-api-key')).toBeUndefined();
  });
});
