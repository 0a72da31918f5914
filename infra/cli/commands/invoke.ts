import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { text } from 'node:stream/consumers';
import { CliUsageError } from '../cliUsageError.ts';
import { type CommandSpec, SHARED_OPTIONS } from '../commandSpec.ts';
import { optionalNumber, parseOptions } from '../parseOptions.ts';
import { serviceDataDir } from '../serviceEnvironment.ts';

export const INVOKE_COMMAND = {
  name: 'invoke',
  usage:
    'marquee invoke <FunctionName> [--event <file.json> | --event -] [--data-dir <dir>] [-c key=value]… [--env NAME=VALUE]… [--timeout-seconds N]',
  summary:
    'Runs one function of the synthesized template with an event file, like `sam local invoke`, against the local stores; its logs go to stderr, its response as JSON to stdout.',
  options: {
    event: {
      type: 'string',
      short: 'e',
      value: '<file.json>',
      description: 'the event; - reads standard input',
      defaultText: 'infra/local/events/<FunctionName>.json',
      example: 'infra/local/events/Recommend-post.json',
    },
    'data-dir': SHARED_OPTIONS.dataDir,
    context: SHARED_OPTIONS.context,
    env: SHARED_OPTIONS.env,
    'timeout-seconds': { type: 'string', value: 'N', description: "the function's timeout", defaultText: "the template's", example: '60' },
  },
  examples: ['npm run invoke -- Recommend --event infra/local/events/Recommend.json', "echo '{}' | npx marquee invoke Health --event -"],
} as const satisfies CommandSpec;

/**
 * `marquee invoke <FunctionName>` (`npm run invoke -- …`), like `sam local invoke`: runs one
 * function of the synthesized template — by its name there, the name in functions/routes.ts —
 * with an event file (default: the function's sample event, infra/local/events/<name>.json; `-`
 * reads standard input), against the local stores of the data folder: the running service's, or
 * the same data served for this call when none runs. The function runs in a worker thread with
 * its template environment; its logs go to stderr and its response, as JSON, to stdout. Exit
 * code 0 when it answered (whatever the status code), 1 when it failed (Lambda's error JSON on
 * stdout).
 */
export async function invokeCommand(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name.startsWith('-'))
    throw new CliUsageError('which function? (a name of the template: Recommend, Popular, Retrain, …)');
  const values = parseOptions(rest, INVOKE_COMMAND.options);
  const timeoutSeconds = optionalNumber(values, 'timeout-seconds');
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0))
    throw new CliUsageError(`--timeout-seconds must be positive, got ${timeoutSeconds}`);
  const dataDir = values['data-dir'] ?? serviceDataDir();
  const [
    defaults,
    { loadServiceTemplates },
    { readServiceDefinition },
    { openLocalStores },
    { functionEnvironment },
    { invokeInWorker },
    { FunctionError },
  ] = await Promise.all([
    import('../../local/localDefaults.ts'),
    import('../../local/serviceTemplates.ts'),
    import('../../local/serviceDefinition.ts'),
    import('../../local/localStores.ts'),
    import('../../local/functionEnvironment.ts'),
    import('../../local/workerInvoke.ts'),
    import('../../local/lambdaContext.ts'),
  ]);
  const note = (line: string) => void process.stderr.write(`${line}\n`);

  const { makeDataDir } = await import('../../local/dataDir.ts');
  await makeDataDir(dataDir);
  const loaded = await loadServiceTemplates({
    projectRoot: defaults.PROJECT_ROOT,
    context: { ...defaults.LOCAL_CONTEXT_DEFAULTS, ...keyValues(values.context ?? [], '-c') },
    cacheFile: join(dataDir, defaults.TEMPLATE_CACHE_FILE),
  });
  const definition = readServiceDefinition(loaded.templates);
  const fn = definition.functions.get(name);
  if (!fn) throw new CliUsageError(`no function ${name} in the template; there are ${[...definition.functions.keys()].join(', ')}`);
  const eventFile = values.event ?? join(defaults.PROJECT_ROOT, defaults.SAMPLE_EVENTS_DIR, `${name}.json`);
  const event = await readEvent(eventFile);

  const stores = await openLocalStores(dataDir);
  try {
    const env = functionEnvironment(fn, stores.env, keyValues(values.env ?? [], '--env'));
    note(
      `invoking ${fn.name} (${fn.entry}) with ${values.event === undefined ? `the sample event ${relative(process.cwd(), eventFile)}` : eventFile === '-' ? 'the event from stdin' : eventFile}, ` +
        `against ${stores.origin === 'service' ? 'the running local service' : 'the local stores'} of ${dataDir}`,
    );
    const started = performance.now();
    try {
      const result = await invokeInWorker({
        projectRoot: defaults.PROJECT_ROOT,
        fn,
        env,
        event,
        requestId: randomUUID(),
        ...(timeoutSeconds === undefined ? {} : { timeoutMs: timeoutSeconds * 1000 }),
      });
      note(`${fn.name} answered in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    } catch (error) {
      const failure = FunctionError.from(error);
      note(`${fn.name} failed after ${((performance.now() - started) / 1000).toFixed(2)} s`);
      process.stdout.write(`${JSON.stringify(failure)}\n`);
      return 1;
    }
  } finally {
    await stores.close();
  }
}

async function readEvent(file: string): Promise<unknown> {
  let source: string;
  try {
    source = file === '-' ? await text(process.stdin) : await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliUsageError(`no event file ${file}`);
    throw error;
  }
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw new CliUsageError(`the event ${file === '-' ? 'on stdin' : file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** `['a=1']` → `{a: '1'}`. */
export function keyValues(pairs: readonly string[], flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new CliUsageError(`${flag} takes key=value, got ${pair}`);
    result[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return result;
}
