import { describe, expect, it } from 'vitest';
import { ApiRouter } from '../../../infra/local/apiRouter.ts';
import type { TemplateRoute } from '../../../infra/local/serviceDefinition.ts';

const route = (method: string, path: string, fn = 'Fn'): TemplateRoute => ({
  method,
  path,
  apiKeyRequired: true,
  integration: { kind: 'function', function: fn },
});

describe('ApiRouter', () => {
  const router = new ApiRouter([
    route('GET', '/v1/users/{userId}/recommendations', 'Recommend'),
    route('DELETE', '/v1/users/{userId}', 'ForgetUser'),
    route('OPTIONS', '/v1/users/{userId}'),
    route('GET', '/v1/items/{itemId}', 'Items'),
    route('PUT', '/v1/items/{itemId}', 'Items'),
    route('GET', '/v1/items/featured', 'Featured'),
    route('ANY', '/files/{path+}', 'Files'),
    route('GET', '/v1/health', 'Health'),
  ]);

  it('matches a method on a resource with parameters, decoded', () => {
    const match = router.match('GET', '/v1/users/a%20b%2Fc/recommendations');
    expect(match).toMatchObject({
      kind: 'route',
      route: { path: '/v1/users/{userId}/recommendations' },
      pathParameters: { userId: 'a b/c' },
    });
  });

  it('gives null path parameters to a route without any', () => {
    expect(router.match('GET', '/v1/health')).toMatchObject({ kind: 'route', pathParameters: null });
  });

  it('prefers a literal segment to a parameter, whatever the order of the routes', () => {
    expect(router.match('GET', '/v1/items/featured')).toMatchObject({ kind: 'route', route: { integration: { function: 'Featured' } } });
    expect(router.match('GET', '/v1/items/m1')).toMatchObject({
      kind: 'route',
      route: { integration: { function: 'Items' } },
      pathParameters: { itemId: 'm1' },
    });
  });

  it('answers method-not-allowed with the methods of the resource, for a known path', () => {
    expect(router.match('POST', '/v1/users/u1')).toEqual({
      kind: 'method-not-allowed',
      allow: ['DELETE', 'OPTIONS'],
      resource: '/v1/users/{userId}',
    });
    // The literal resource has only GET: a PUT on it is not routed to the parameter resource.
    expect(router.match('PUT', '/v1/items/featured')).toMatchObject({ kind: 'method-not-allowed', allow: ['GET'] });
  });

  it('answers not-found for paths that are no resource', () => {
    for (const path of ['/', '/v1', '/v1/users', '/v1/users/u1/recommendations/extra', '/v2/health', '/v1/users//recommendations']) {
      expect(router.match('GET', path), path).toEqual({ kind: 'not-found' });
    }
  });

  it('ignores one trailing slash', () => {
    expect(router.match('GET', '/v1/health/')).toMatchObject({ kind: 'route' });
  });

  it('lets ANY stand for every method and a greedy parameter take the rest of the path', () => {
    expect(router.match('PATCH', '/files/a/b%20c/d.txt')).toMatchObject({ kind: 'route', pathParameters: { path: 'a/b c/d.txt' } });
    expect(router.match('GET', '/files')).toEqual({ kind: 'not-found' });
  });

  it('refuses a template with the same method twice on a resource', () => {
    expect(() => new ApiRouter([route('GET', '/a'), route('GET', '/a')])).toThrow(/two methods GET \/a/);
  });
});
