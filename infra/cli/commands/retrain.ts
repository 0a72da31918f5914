import type { RetrainReport } from '../../../functions/retrain/retrainReport.ts';
import { CliUsageError } from '../cliUsageError.ts';
import { type CommandSpec, SHARED_OPTIONS } from '../commandSpec.ts';
import { objectiveOption, optionalNumber, parseOptions } from '../parseOptions.ts';
import { loadServiceEnvironment } from '../serviceEnvironment.ts';

export const RETRAIN_COMMAND = {
  name: 'retrain',
  usage: 'marquee retrain [--data-dir <dir> | --bucket <name>] [--budget-minutes N] [--objective full|sampled|auto] [--json]',
  summary:
    "One retrain now, the retrain function's own code: read the events, train, gate against the served model, publish or keep. Exit code 0: published; 3: kept (the report says why); 1: failed.",
  options: {
    'data-dir': SHARED_OPTIONS.dataDir,
    bucket: SHARED_OPTIONS.bucket,
    'budget-minutes': {
      type: 'string',
      value: 'N',
      description: "the run's time budget",
      defaultText: "15 (a Lambda's maximum)",
      example: '60',
    },
    objective: SHARED_OPTIONS.objective,
    json: { ...SHARED_OPTIONS.json, description: 'print the whole report as one JSON object' },
  },
  examples: ['npx marquee retrain', 'npx marquee retrain --objective sampled --json'],
} as const satisfies CommandSpec;

/** Exit code of a run that kept the served model (the gate refused the candidate). */
export const EXIT_KEPT = 3;

/**
 * `marquee retrain`: one retrain run now — the retrain function's own code (runRetrain: read the
 * events, train, gate, publish or keep) against the local service of the data folder, or a
 * deployed bucket with --bucket. The run's time budget is --budget-minutes (default 15, a Lambda's
 * maximum). Prints a summary, or the whole report with --json. Exit code 0: a new model was
 * published; 3: the served model was kept (the report says why); 1: the run failed.
 */
export async function retrainCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions(args, RETRAIN_COMMAND.options);
  const budgetMinutes = optionalNumber(values, 'budget-minutes') ?? 15;
  if (!(budgetMinutes > 0)) throw new CliUsageError(`--budget-minutes must be positive, got ${budgetMinutes}`);
  const json = values.json === true;
  const target = await loadServiceEnvironment({ bucket: values.bucket, dataDir: values['data-dir'] });
  // The SDK and the trainer load only when this command runs.
  const [{ createAwsClients }, { loadRetrainConfig }, { runRetrain }] = await Promise.all([
    import('../../../functions/commons/awsClients.ts'),
    import('../../../functions/retrain/retrainConfig.ts'),
    import('../../../functions/retrain/runRetrain.ts'),
  ]);
  // --objective overrides RETRAIN_OBJECTIVE; without either, auto.
  const config = { ...loadRetrainConfig(process.env), ...(values.objective === undefined ? {} : { objective: objectiveOption(values) }) };
  const { s3, dynamo } = createAwsClients(config);
  const deadline = Date.now() + budgetMinutes * 60_000;
  const log = cliLogger(!json && process.stderr.isTTY === true);
  let report: RetrainReport;
  try {
    report = await runRetrain({
      s3,
      config,
      remainingMs: () => deadline - Date.now(),
      logger: log,
      metrics: { addMetric: () => undefined },
      trigger: 'marquee.cli',
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    const hint = code === 'ECONNREFUSED' ? '; is the service running?' : '';
    process.stderr.write(`marquee retrain: the run failed on ${target.where}: ${(error as Error).message}${hint}\n`);
    return 1;
  } finally {
    s3.destroy();
    dynamo.destroy();
  }
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : summary(report, target.where));
  return report.outcome === 'published' ? 0 : EXIT_KEPT;
}

/** Progress on stderr: epochs and steps as short lines, warnings always (unless silenced by --json). */
function cliLogger(progress: boolean) {
  const write = (text: string) => process.stderr.write(`${text}\n`);
  return {
    info(message: string, attributes: Record<string, unknown> = {}) {
      if (!progress) return;
      if (message === 'epoch') {
        const { phase, epoch, loss, validationNdcgAt10, seconds } = attributes as Record<string, number | string | undefined>;
        const validation = typeof validationNdcgAt10 === 'number' ? `  val nDCG@10 ${validationNdcgAt10.toFixed(4)}` : '';
        write(
          `  ${String(phase)} epoch ${String(epoch).padStart(3)}  loss ${Number(loss).toFixed(3)}${validation}  ${Number(seconds).toFixed(2)} s`,
        );
        return;
      }
      write(message);
    },
    warn(message: string, attributes: Record<string, unknown> = {}) {
      if (progress) write(`warning: ${message} ${JSON.stringify(attributes)}`);
    },
    error(message: string, attributes: Record<string, unknown> = {}) {
      if (progress) write(`error: ${message} ${JSON.stringify(attributes)}`);
    },
  };
}

function summary(report: RetrainReport, where: string): string {
  const { data, gate, training } = report;
  const metric = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(4));
  const lines = [
    `${report.outcome === 'published' ? `published model ${report.version}` : `kept the served model ${gate.served.version ?? '(none)'}`} on ${where}`,
    ...gate.reasons.map((reason) => `  ${reason}`),
    `  events      ${data.log.events} read from ${data.log.objects} objects (${data.log.duplicates} duplicate, ${data.log.invalidLines} malformed, ${data.log.tombstoned} of forgotten users skipped)`,
    `  data        ${data.interactions} interactions of ${data.users} users on ${data.items} titles; gate set ${data.gateInteractions} interactions of ${data.gateUsers} users`,
    ...(training
      ? [
          `  training    ${training.epochs} epochs in ${training.trainSeconds.toFixed(1)} s${training.stoppedEarly ? ' (stopped by the time budget)' : ''}`,
        ]
      : []),
    `  gate        nDCG@10 candidate ${metric(gate.candidate?.ndcgAt10)}, served ${metric(gate.served.metrics?.ndcgAt10)}, popularity ${metric(gate.popularity?.ndcgAt10)}`,
    `  report      models/${report.version}/report.json and report.svg`,
    `  took        ${report.seconds.total.toFixed(1)} s`,
    '',
  ];
  return lines.join('\n');
}
