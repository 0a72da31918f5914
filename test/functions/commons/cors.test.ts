import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../functions/commons/httpErrors.ts';
import { cors, jsonErrors } from '../../../functions/commons/httpMiddleware.ts';
import { jsonResponse } from '../../../functions/commons/httpResponse.ts';

const event = (origin?: string) => ({ headers: origin ? { Origin: origin } : {}, body: null }) as unknown as APIGatewayProxyEvent;
const context = {} as never;

function handlerWith(allowed: string, fail: boolean) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(cors(allowed))
    .use(jsonErrors())
    .handler(async () => {
      if (fail) throw new BadRequestError('bad count', 'query.count');
      return jsonResponse(200, { ok: true });
    });
}

describe('cors middleware', () => {
  it('allows any origin with *, on successes and on error responses', async () => {
    const ok = await handlerWith('*', false)(event('https://a.example'), context);
    expect(ok.headers?.['Access-Control-Allow-Origin']).toBe('*');
    const failed = await handlerWith('*', true)(event('https://a.example'), context);
    expect(failed.statusCode).toBe(400);
    expect(failed.headers?.['Access-Control-Allow-Origin']).toBe('*');
  });

  it('adds nothing when no origin is allowed (CORS off, the default)', async () => {
    for (const allowed of ['', ' , ']) {
      const ok = await handlerWith(allowed, false)(event('https://a.example'), context);
      expect(ok.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
      const failed = await handlerWith(allowed, true)(event('https://a.example'), context);
      expect(failed.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
    }
    const saved = process.env.CORS_ALLOW_ORIGINS;
    delete process.env.CORS_ALLOW_ORIGINS;
    try {
      const unset = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
        .use(cors())
        .handler(async () => jsonResponse(200, { ok: true }));
      expect((await unset(event('https://a.example'), context)).headers?.['Access-Control-Allow-Origin']).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.CORS_ALLOW_ORIGINS = saved;
    }
  });

  it('echoes a listed origin with Vary: Origin, and adds nothing for another origin', async () => {
    const listed = await handlerWith('https://a.example,https://b.example', false)(event('https://b.example'), context);
    expect(listed.headers?.['Access-Control-Allow-Origin']).toBe('https://b.example');
    expect(listed.headers?.Vary).toBe('Origin');
    const other = await handlerWith('https://a.example', false)(event('https://evil.example'), context);
    expect(other.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
  });
});
