import { CliUsageError } from '../cliUsageError.ts';
import { type CommandSpec, SHARED_OPTIONS } from '../commandSpec.ts';
import { optionalNumber, parseOptions } from '../parseOptions.ts';
import { serviceBanner } from '../serviceBanner.ts';
import { serviceDataDir } from '../serviceEnvironment.ts';
import { keyValues } from './invoke.ts';

export const SERVE_COMMAND = {
  name: 'serve',
  usage:
    'marquee serve [--port N] [--host <addr>] [--data-dir <dir>] [--retrain-every <10m|1h|…>] [--no-demo] ' +
    '[--demo-items N] [--demo-users N] [--demo-events-per-user N] [--demo-seed N] [-c key=value]… [--env NAME=VALUE]… [--log-level DEBUG|INFO|WARN|ERROR] [--quiet]',
  summary:
    'The whole service on this machine (npm start): local S3 and DynamoDB on the data folder, a demo catalog and a first model on an empty store, the API routed from the synthesized CDK template. Ctrl-C stops it.',
  options: {
    port: { type: 'string', value: 'N', description: 'the HTTP port (0: a free one)', defaultText: 'PORT, else 3000', example: '8080' },
    host: { type: 'string', value: '<addr>', description: 'the address to listen on', defaultText: '127.0.0.1', example: '0.0.0.0' },
    'data-dir': SHARED_OPTIONS.dataDir,
    'retrain-every': {
      type: 'string',
      value: '<10m|1h|…>',
      description: 'run the retrain function at that interval',
      defaultText: 'off',
      example: '1h',
    },
    'no-demo': { type: 'boolean', default: false, description: 'leave an empty store empty (then `marquee import`)' },
    'demo-items': { type: 'string', value: 'N', description: 'titles of the demo catalog', defaultText: '400', example: '150' },
    'demo-users': { type: 'string', value: 'N', description: 'viewers of the demo catalog', defaultText: '300', example: '90' },
    'demo-events-per-user': { type: 'string', value: 'N', description: 'mean events per demo viewer', defaultText: '40', example: '30' },
    'demo-seed': { type: 'string', value: 'N', description: 'seed of the demo catalog', defaultText: '7', example: '3' },
    context: SHARED_OPTIONS.context,
    env: SHARED_OPTIONS.env,
    'log-level': {
      type: 'string',
      value: 'DEBUG|INFO|WARN|ERROR',
      description: "the API functions' log level",
      defaultText: 'WARN (the access log tells the rest)',
      example: 'INFO',
    },
    quiet: { type: 'boolean', default: false, description: 'no line per request' },
  },
  examples: ['npm start', 'npx marquee serve --port 8080 --retrain-every 1h -c modelRefreshSeconds=5'],
} as const satisfies CommandSpec;

/**
 * `marquee serve` (`npm start`): the whole service on this machine — local S3 and DynamoDB on the
 * data folder, the demo catalog and a first model on an empty store, and the API on
 * http://localhost:3000 routed from the synthesized CDK template with API keys enforced (see
 * infra/local/localService.ts). Runs until Ctrl-C (or SIGTERM), then stops cleanly.
 *
 * - `--data-dir` (default MARQUEE_DATA_DIR, else `.marquee/`); `--port` (default PORT, else 3000).
 * - `--retrain-every 10m`: run the retrain function at that interval (off by default).
 * - `--no-demo`: leave an empty store empty (then `marquee import --movielens <dir>`).
 * - `-c key=value`: CDK context, as `cdk synth -c` takes it; `--env NAME=VALUE`: a variable
 *   over every function's environment (e.g. RETRAIN_MAX_EPOCHS=20).
 * - `--log-level`: the API functions' Powertools level (default WARN: the access log tells the rest).
 * - `--quiet`: no line per request.
 */
export async function serveCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions(args, SERVE_COMMAND.options);
  const logLevel = values['log-level']?.toUpperCase();
  if (logLevel !== undefined && !['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel))
    throw new CliUsageError(`--log-level takes DEBUG, INFO, WARN or ERROR, got ${values['log-level']}`);
  const port = optionalNumber(values, 'port') ?? (process.env.PORT ? Number(process.env.PORT) : 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new CliUsageError(`--port (or PORT) must be a port number, got ${String(values.port ?? process.env.PORT)}`);
  const dataDir = values['data-dir'] ?? serviceDataDir();
  const { parseInterval } = await import('../../local/retrainSchedule.ts');
  let retrainEveryMs: number | undefined;
  if (values['retrain-every'] !== undefined) {
    retrainEveryMs = parseInterval(values['retrain-every']);
    if (retrainEveryMs === undefined || retrainEveryMs < 10_000)
      throw new CliUsageError(`--retrain-every takes an interval of 10s or more such as 90s, 10m, 1h, 1d; got ${values['retrain-every']}`);
  }
  const demoSizes = {
    ...sized(values, 'demo-items', 'items'),
    ...sized(values, 'demo-users', 'users'),
    ...sized(values, 'demo-events-per-user', 'interactionsPerUser'),
  };
  const demoSeed = optionalNumber(values, 'demo-seed') ?? 7;
  if (values['no-demo'] && (Object.keys(demoSizes).length > 0 || values['demo-seed'] !== undefined))
    throw new CliUsageError('--no-demo goes without --demo-* options');
  const context = keyValues(values.context ?? [], '-c');
  const env = keyValues(values.env ?? [], '--env');

  const [{ startLocalService, LocalServiceError }, { StatusLine }] = await Promise.all([
    import('../../local/localService.ts'),
    import('../../local/statusLine.ts'),
  ]);
  const quiet = values.quiet === true;
  const log = (line: string) => void process.stdout.write(`${line}\n`);
  // Ctrl-C while starting stops the start cleanly (the servers it opened are closed).
  const starting = new AbortController();
  const abortStart = () => {
    log('\nstopping the start…');
    starting.abort(new Error('stopped while starting'));
  };
  process.once('SIGINT', abortStart);
  process.once('SIGTERM', abortStart);
  let service: Awaited<ReturnType<typeof startLocalService>>;
  try {
    service = await startLocalService({
      signal: starting.signal,
      dataDir,
      port,
      ...(values.host ? { host: values.host } : {}),
      context,
      env: Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value)])),
      demo: values['no-demo'] ? false : { seed: demoSeed, ...demoSizes },
      ...(retrainEveryMs === undefined ? {} : { retrainEveryMs }),
      log,
      ...(logLevel ? { functionLogLevel: logLevel as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' } : {}),
      status: new StatusLine(process.stderr),
      ...(quiet ? { accessLog: null } : {}),
    });
  } catch (error) {
    if (starting.signal.aborted) {
      log(`stopped before serving; the data stays in ${dataDir}`);
      return 130;
    }
    if (error instanceof LocalServiceError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(
        `marquee serve: ${(error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `port ${port} is in use (give another with --port or PORT)` : (error as Error).message}\n`,
      );
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', abortStart);
    process.off('SIGTERM', abortStart);
  }
  log(serviceBanner(service, retrainEveryMs === undefined ? undefined : values['retrain-every']));

  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log(`\n${signal}: stopping (answering the requests in flight; Ctrl-C again to quit at once)…`);
      process.once('SIGINT', () => process.exit(130));
      void service.stop().then(resolve, (error: Error) => {
        process.stderr.write(`marquee serve: stopping failed: ${error.message}\n`);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  log(`stopped; the data stays in ${service.dataDir}`);
  // Sockets of the SDK's keep-alive pools may linger a moment; nothing of ours is left to finish.
  setTimeout(() => process.exit(0), 2_000).unref();
  return 0;
}

function sized(values: Record<string, unknown>, flag: string, key: string): Record<string, number> {
  const value = optionalNumber(values, flag);
  if (value === undefined) return {};
  if (!Number.isInteger(value) || value < 1) throw new CliUsageError(`--${flag} must be a positive integer, got ${value}`);
  return { [key]: value };
}
