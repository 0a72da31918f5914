import { randomUUID } from 'node:crypto';
import type { RetrainReport } from '../../functions/retrain/retrainReport.ts';
import type { TemplateSchedule, TemplateFunction } from './serviceDefinition.ts';
import { invokeInWorker } from './workerInvoke.ts';

/** What a run's log says it is doing (from the function's own JSON log lines). */
export interface RetrainProgress {
  readonly step: string;
  readonly epoch?: { readonly phase: string; readonly epoch: number; readonly validationNdcgAt10?: number };
}

export interface RetrainRunOptions {
  readonly projectRoot: string;
  readonly fn: TemplateFunction;
  readonly env: Readonly<Record<string, string>>;
  /** The event's `source` (recorded in the report): `marquee.local` for the local service. */
  readonly detailType: string;
  readonly onProgress?: (progress: RetrainProgress) => void;
  /** Function log lines that are not progress (warnings, errors), already parsed. */
  readonly onLog?: (entry: Record<string, unknown>) => void;
  readonly signal?: AbortSignal;
}

const STEPS: Readonly<Record<string, string>> = {
  'retrain started': 'reading the event log',
  'event log read': 'building training data',
  'gate passed': 'publishing',
  'gate rejected the candidate': 'storing the report',
  'model published': 'pruning old versions',
};

/**
 * Invokes the retrain function as its schedule does — an EventBridge-shaped event with `source`
 * `marquee.local` — in a worker thread (training is minutes of CPU; the API keeps answering), with
 * the template's timeout as its time budget. Progress comes from the function's structured log
 * lines (`epoch`, `gate passed`, …), as one would follow its CloudWatch logs.
 */
export async function runRetrainFunction(options: RetrainRunOptions): Promise<RetrainReport> {
  const onStdoutLine = (line: string) => {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      options.onLog?.({ level: 'INFO', message: line });
      return;
    }
    const message = String(entry.message);
    if (message === 'epoch') {
      options.onProgress?.({
        step: 'training',
        epoch: {
          phase: String(entry.phase),
          epoch: Number(entry.epoch),
          ...(typeof entry.validationNdcgAt10 === 'number' ? { validationNdcgAt10: entry.validationNdcgAt10 } : {}),
        },
      });
    } else if (STEPS[message]) {
      options.onProgress?.({ step: STEPS[message] });
    }
    if (entry.level !== 'INFO' && entry.level !== 'DEBUG') options.onLog?.(entry);
  };
  const result = await invokeInWorker({
    projectRoot: options.projectRoot,
    fn: options.fn,
    env: options.env,
    requestId: randomUUID(),
    event: scheduledEvent(options.detailType),
    onStdoutLine,
    onStderrLine: (line) => options.onLog?.({ level: 'ERROR', message: line }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return result as RetrainReport;
}

/** An EventBridge Scheduled Event as the rule would send it, from the local service. */
export function scheduledEvent(detailType: string, schedule?: TemplateSchedule): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'marquee.local',
    account: '123456789012',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: schedule ? [`arn:aws:events:us-east-1:123456789012:rule/${schedule.rule.split('/').pop()}`] : [],
    detail: {},
  };
}
