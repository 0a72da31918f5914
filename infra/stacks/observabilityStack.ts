import { Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { MarqueeFunction } from '../constructs/marqueeFunction.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from './functionEnvironment.ts';
import type { MarqueeConfig } from './marqueeConfig.ts';

/** The metric the retrain function emits when its quality gate keeps the current model. */
export const GATE_REJECTIONS_METRIC = 'GateRejections';

export interface ObservabilityStackProps extends StackProps {
  readonly api: RestApi;
  readonly functions: readonly MarqueeFunction[];
  readonly retrain: MarqueeFunction | undefined;
  readonly deadLetterQueue: IQueue;
  readonly config: MarqueeConfig;
}

/** Metric math takes at most 10 metrics per expression. */
const MAX_METRICS_PER_EXPRESSION = 10;

/**
 * Alarms (5xx rate, p99 latency, throttles, retrain failures, gate rejections), all sent to one
 * SNS topic (e-mailed when `alarmEmail` is set), and a dashboard of the same signals.
 * Missing data never alarms: an idle service is a healthy one.
 */
export class ObservabilityStack extends Stack {
  readonly alarmTopic: Topic;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { api, config } = props;
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: `Marquee ${config.stage} alarms`, enforceSSL: true });
    if (config.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and states only; a customer managed key would cost a monthly fee and need a key policy for CloudWatch.',
    });

    const fiveMinutes = Duration.minutes(5);
    const requests = api.metricCount({ period: fiveMinutes, statistic: 'Sum' });
    const serverErrors = api.metricServerError({ period: fiveMinutes, statistic: 'Sum' });
    const serverErrorRate = new MathExpression({
      // Below 20 requests in 5 minutes one failure is not a rate.
      expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      label: '5xx %',
      period: fiveMinutes,
    });
    const p99 = api.metricLatency({ period: fiveMinutes, statistic: 'p99' });
    const throttles = sumOf(
      props.functions.map((fn) => fn.function.metricThrottles({ period: fiveMinutes, statistic: 'Sum' })),
      'throttles',
      'Lambda throttles',
    );
    const gateRejections = new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: GATE_REJECTIONS_METRIC,
      // Powertools adds the service dimension to every metric.
      dimensionsMap: { service: SERVICE_NAME },
      statistic: 'Sum',
      period: Duration.hours(1),
    });
    const deadLetters = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' });

    const alarms: Alarm[] = [
      this.alarm('ServerErrorRate', serverErrorRate, 1, 'More than 1 % of API requests answered 5xx', 3, 2),
      this.alarm('LatencyP99', p99, config.latencyAlarmMs, `API p99 latency above ${config.latencyAlarmMs} ms`, 3, 3),
      ...throttles.map((metric, index) =>
        this.alarm(`Throttles${index || ''}`, metric, 0, 'API functions throttled (concurrency limit reached)', 1, 1),
      ),
      this.alarm('RetrainDeadLetters', deadLetters, 0, 'A retrain run failed or could not be started: see the dead-letter queue', 1, 1),
      this.alarm(
        'GateRejections',
        gateRejections,
        0,
        'Retraining produced a model worse than the served one; the served model was kept',
        1,
        1,
      ),
    ];
    if (props.retrain) {
      const errors = props.retrain.function.metricErrors({ period: Duration.hours(1), statistic: 'Sum' });
      alarms.push(this.alarm('RetrainErrors', errors, 0, 'The retrain function failed', 1, 1));
    }
    this.alarms = alarms;

    const functionMetric = (label: string, metric: (fn: MarqueeFunction) => IMetric) =>
      new GraphWidget({ title: label, width: 12, left: props.functions.map(metric) });
    const retrainWidgets = props.retrain
      ? [
          new GraphWidget({
            title: 'Retrain',
            width: 12,
            left: [props.retrain.function.metricDuration({ period: Duration.hours(1), statistic: 'Maximum', label: 'duration (max)' })],
            right: [
              props.retrain.function.metricErrors({ period: Duration.hours(1), label: 'errors' }),
              gateRejections.with({ label: 'gate rejections' }),
            ],
          }),
        ]
      : [];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `Marquee-${config.stage}`,
      widgets: [
        [new AlarmStatusWidget({ title: 'Alarms', width: 24, alarms })],
        [
          new GraphWidget({
            title: 'API requests',
            width: 12,
            left: [requests.with({ label: 'requests' })],
            right: [api.metricClientError({ period: fiveMinutes, statistic: 'Sum', label: '4xx' }), serverErrors.with({ label: '5xx' })],
          }),
          new GraphWidget({
            title: 'API latency (ms)',
            width: 12,
            left: [
              api.metricLatency({ period: fiveMinutes, statistic: 'p50', label: 'p50' }),
              p99.with({ label: 'p99' }),
              api.metricIntegrationLatency({ period: fiveMinutes, statistic: 'p99', label: 'integration p99' }),
            ],
          }),
        ],
        [
          functionMetric('Function duration p99 (ms)', (fn) =>
            fn.function.metricDuration({ period: fiveMinutes, statistic: 'p99', label: fn.spec.name }),
          ),
          functionMetric('Function errors', (fn) =>
            fn.function.metricErrors({ period: fiveMinutes, statistic: 'Sum', label: fn.spec.name }),
          ),
        ],
        [
          functionMetric('Function throttles', (fn) =>
            fn.function.metricThrottles({ period: fiveMinutes, statistic: 'Sum', label: fn.spec.name }),
          ),
          functionMetric('Concurrent executions (max)', (fn) =>
            fn.function.metric('ConcurrentExecutions', { period: fiveMinutes, statistic: 'Maximum', label: fn.spec.name }),
          ),
        ],
        [...retrainWidgets, new GraphWidget({ title: 'Retrain dead letters', width: 12, left: [deadLetters.with({ label: 'messages' })] })],
      ],
    });
  }

  private alarm(
    id: string,
    metric: IMetric,
    threshold: number,
    description: string,
    evaluationPeriods: number,
    datapointsToAlarm: number,
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    alarm.addOkAction(new SnsAction(this.alarmTopic));
    return alarm;
  }
}

/** The sum of `metrics` (SUM counts a series without data as nothing), in as few expressions as metric math allows: one for up to 10. */
function sumOf(metrics: readonly IMetric[], id: string, label: string): MathExpression[] {
  const expressions: MathExpression[] = [];
  for (let start = 0; start < metrics.length; start += MAX_METRICS_PER_EXPRESSION) {
    const chunk = metrics.slice(start, start + MAX_METRICS_PER_EXPRESSION);
    const usingMetrics = Object.fromEntries(chunk.map((metric, index) => [`${id}${index}`, metric]));
    expressions.push(
      new MathExpression({
        expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`,
        usingMetrics,
        label,
        period: Duration.minutes(5),
      }),
    );
  }
  return expressions;
}
