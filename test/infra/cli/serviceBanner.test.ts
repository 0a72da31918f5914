import { describe, expect, it } from 'vitest';
import { serviceBanner } from '../../../infra/cli/serviceBanner.ts';
import type { ApiKey } from '../../../infra/local/apiKey.ts';
import type { LocalService } from '../../../infra/local/localService.ts';

const KEY = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789wXyZ';

function banner(source: ApiKey['source'], dataDir = '/tmp/marquee-banner-data'): string {
  const service = {
    url: 'http://localhost:3000',
    apiKey: { value: KEY, source },
    definition: { routes: [] },
    startup: { seconds: 1.5, templateCached: true },
    dataDir,
  } as unknown as LocalService;
  return serviceBanner(service, undefined);
}

describe('serviceBanner', () => {
  it('prints a generated key in full, once, with a ready curl line', () => {
    const text = banner('generated');
    expect(text).toContain(`API key   ${KEY}`);
    expect(text).toContain(`curl -H "x-api-key: ${KEY}" http://localhost:3000/v1/users/u1/recommendations`);
  });

  it.each(['stored', 'MARQUEE_API_KEY'] as const)('masks a %s key and names the command that shows it', (source) => {
    const text = banner(source);
    expect(text).not.toContain(KEY);
    expect(text).toContain('API key   AbCd…wXyZ');
    expect(text).toContain('npx marquee key --data-dir /tmp/marquee-banner-data shows it');
    expect(text).toContain(
      'curl -H "x-api-key: $(npx marquee key --data-dir /tmp/marquee-banner-data)" http://localhost:3000/v1/users/u1/recommendations',
    );
  });
});
