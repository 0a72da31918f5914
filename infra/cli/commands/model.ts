import type { ModelVersionListing, ModelVersionSummary } from '../../../functions/commons/modelVersions.ts';
import { CliUsageError } from '../cliUsageError.ts';
import { type CommandSpec, SHARED_OPTIONS } from '../commandSpec.ts';
import { parseOptions } from '../parseOptions.ts';
import { loadServiceEnvironment } from '../serviceEnvironment.ts';

export const MODEL_COMMAND = {
  name: 'model',
  usage: 'marquee model list|rollback [--to <version>] [--data-dir <dir> | --bucket <name>] [--json]',
  summary:
    'list: the published versions with their time, gate metrics and status. rollback: points models/current.json at an earlier version, after checking its files.',
  options: {
    to: {
      type: 'string',
      value: '<version>',
      description: 'the version to roll back to (rollback only)',
      defaultText: 'the one before the current',
      example: '20261207T231925Z-7fe1',
    },
    'data-dir': SHARED_OPTIONS.dataDir,
    bucket: SHARED_OPTIONS.bucket,
    json: SHARED_OPTIONS.json,
  },
  examples: ['npx marquee model list', 'npx marquee model rollback --to 20261207T231925Z-7fe1'],
} as const satisfies CommandSpec;

/**
 * `marquee model list`: the versions under models/ with their creation time, gate metrics and
 * status (which one is current; rejected candidates with why). `marquee model rollback [--to v]`:
 * points models/current.json at an earlier published version — by default the one before the
 * current (by creation time) — after checking its files against its manifest. Acts on the local
 * service of the data folder, or a deployed bucket with --bucket.
 */
export async function modelCommand(args: readonly string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'list' && action !== 'rollback') {
    throw new CliUsageError(action === undefined ? 'which action? (list or rollback)' : `unknown action ${action}`);
  }
  const values = parseOptions(rest, MODEL_COMMAND.options);
  if (action === 'list' && values.to !== undefined) throw new CliUsageError('--to goes with rollback');
  const target = await loadServiceEnvironment({ bucket: values.bucket, dataDir: values['data-dir'] });
  const [{ createAwsClients }, versions] = await Promise.all([
    import('../../../functions/commons/awsClients.ts'),
    import('../../../functions/commons/modelVersions.ts'),
  ]);
  const { s3, dynamo } = createAwsClients({ s3ForcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
  const json = values.json === true;
  try {
    if (action === 'list') {
      const listing = await versions.listModelVersions(s3, target.bucket);
      process.stdout.write(json ? `${JSON.stringify(listing)}\n` : table(listing, target.where));
      return 0;
    }
    const result = await versions.rollbackModel(s3, target.bucket, values.to === undefined ? {} : { to: values.to });
    process.stdout.write(
      json
        ? `${JSON.stringify(result)}\n`
        : `models/current.json now points at ${result.to}${result.from ? ` (was ${result.from})` : ''} on ${target.where}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof versions.ModelVersionError) {
      process.stderr.write(`marquee model ${action}: ${error.message}\n`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    if (code === 'ECONNREFUSED') {
      process.stderr.write(`marquee model ${action}: cannot reach ${target.where}; is the service running?\n`);
      return 1;
    }
    throw error;
  } finally {
    s3.destroy();
    dynamo.destroy();
  }
}

function table(listing: ModelVersionListing, where: string): string {
  if (listing.versions.length === 0) return `no model versions on ${where}\n`;
  const rows = listing.versions.map((v) => row(v, listing.current?.version));
  const header = ['', 'version', 'created', 'status', 'nDCG@10', 'recall@10', 'coverage@10', 'interactions'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  const notes = listing.versions
    .filter((v) => v.status === 'rejected' && v.reasons?.length)
    .map((v) => `  ${v.version}: ${v.reasons?.join('; ')}`);
  return `${[`model versions on ${where} (* = current)`, format(header), ...rows.map(format), ...(notes.length ? ['rejected:', ...notes] : [])].join('\n')}\n`;
}

function row(v: ModelVersionSummary, current: string | undefined): string[] {
  const metric = (name: string) => {
    const value = v.metrics?.[name];
    return typeof value === 'number' ? value.toFixed(4) : '';
  };
  const created = v.createdAt ? v.createdAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '';
  const status = v.version === current ? 'current' : v.status;
  return [
    v.version === current ? '*' : '',
    v.version,
    created,
    status,
    metric('ndcgAt10'),
    metric('recallAt10'),
    metric('coverageAt10'),
    v.trainingData ? String(v.trainingData.interactions) : '',
  ];
}
