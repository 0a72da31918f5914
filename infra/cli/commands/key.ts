import { CliUsageError } from '../cliUsageError.ts';
import { type CommandSpec, SHARED_OPTIONS } from '../commandSpec.ts';
import { parseOptions } from '../parseOptions.ts';
import { serviceDataDir } from '../serviceEnvironment.ts';

export const KEY_COMMAND = {
  name: 'key',
  usage: 'marquee key [--data-dir <dir>]',
  summary: "Prints the local service's API key (MARQUEE_API_KEY when set, else the one stored in the data folder), alone on a line.",
  options: { 'data-dir': SHARED_OPTIONS.dataDir },
  examples: ['curl -H "x-api-key: $(npx marquee key)" http://localhost:3000/v1/popular'],
} as const satisfies CommandSpec;

/**
 * `marquee key`: prints the local service's API key (MARQUEE_API_KEY when set, else the one
 * stored in the data folder), alone on a line, for `curl -H "x-api-key: $(npx marquee key)"`.
 * `npm start` prints the key in full only on the start that generates it, and masked afterwards.
 */
export async function keyCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions(args, KEY_COMMAND.options);
  const { resolve } = await import('node:path');
  const { readStoredApiKey } = await import('../../local/apiKey.ts');
  const dataDir = resolve(values['data-dir'] ?? serviceDataDir());
  const given = process.env.MARQUEE_API_KEY;
  const key = given !== undefined && given !== '' ? given : await readStoredApiKey(dataDir);
  if (key === undefined)
    throw new CliUsageError(`${dataDir} holds no API key yet: \`npm start\` generates one there (or set MARQUEE_API_KEY)`);
  process.stdout.write(`${key}\n`);
  return 0;
}
