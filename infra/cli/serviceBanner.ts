import { resolve } from 'node:path';
import { maskApiKey } from '../local/apiKey.ts';
import type { LocalService } from '../local/localService.ts';
import { serviceDataDir } from './serviceEnvironment.ts';

/**
 * What `marquee serve` prints once the API answers: where it runs, the key (in full only on the
 * start that generated it, masked afterwards with the command that shows it), a ready curl line.
 */
export function serviceBanner(
  service: Pick<LocalService, 'url' | 'apiKey' | 'definition' | 'startup' | 'dataDir'>,
  retrainEvery: string | undefined,
): string {
  const { url, apiKey, definition, startup } = service;
  const keyOrigin = {
    MARQUEE_API_KEY: 'from MARQUEE_API_KEY',
    generated: `generated and stored in ${service.dataDir}/api-key`,
    stored: `stored in ${service.dataDir}/api-key`,
  }[apiKey.source];
  // In full only when generated (the one time the user must see it); masked in every later banner and log.
  const dataDirFlag = resolve(service.dataDir) === resolve(serviceDataDir()) ? '' : ` --data-dir ${service.dataDir}`;
  const shown = apiKey.source === 'generated' ? apiKey.value : maskApiKey(apiKey.value);
  const keyArg = apiKey.source === 'generated' ? apiKey.value : `$(npx marquee key${dataDirFlag})`;
  const routes = definition.routes.filter((route) => route.integration.kind === 'function');
  return [
    '',
    `Marquee is running at ${url}  (data in ${service.dataDir}, started in ${startup.seconds.toFixed(1)} s)`,
    `  API key   ${shown}  (${keyOrigin}${apiKey.source === 'generated' ? '' : `; npx marquee key${dataDirFlag} shows it`})`,
    `  try       curl -H "x-api-key: ${keyArg}" ${url}/v1/users/u1/recommendations`,
    `  health    curl ${url}/v1/health`,
    `  playground ${url}/${apiKey.source === 'generated' ? `#key=${apiKey.value}` : '  (the key goes in the page, or after #key=)'}`,
    `  routes    ${routes.length} from the synthesized CDK template${startup.templateCached ? ' (cached)' : ''}: ${routes.map((route) => `${route.method} ${route.path}`).join(', ')}`,
    `  retrain   npx marquee retrain${retrainEvery ? `   (and every ${retrainEvery})` : '   (no schedule: --retrain-every 1h)'}`,
    `  invoke    npm run invoke -- Popular --event infra/local/events/Popular.json`,
    '  stop      Ctrl-C',
    '',
  ].join('\n');
}
