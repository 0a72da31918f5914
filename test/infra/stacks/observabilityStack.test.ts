import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resources, type CfnResource } from './templateQueries.ts';
import { testApp } from './testApp.ts';

interface MetricDataQuery {
  Id: string;
  Expression?: string;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] }; Stat: string };
  ReturnData?: boolean;
}

describe('ObservabilityStack', () => {
  const { stacks } = testApp({ latencyAlarmMs: '800' });
  const template = Template.fromStack(stacks.observability);
  const alarms = resources(template, 'AWS::CloudWatch::Alarm');
  const alarm = (idPart: string): CfnResource => {
    const matching = Object.entries(alarms).filter(([id]) => id.startsWith(idPart));
    expect(
      matching.map(([id]) => id),
      idPart,
    ).toHaveLength(1);
    return matching[0][1];
  };
  const queries = (resource: CfnResource) => resource.Properties.Metrics as MetricDataQuery[];

  /** The throttle alarms: one per 10 API functions, CloudWatch's limit of metrics in one expression. */
  const apiFunctions = stacks.api.functions.length;
  const throttleAlarms = Object.entries(alarms)
    .filter(([id]) => id.startsWith('Throttles'))
    .map(([, resource]) => resource);

  it('has the alarms of the issue, each notifying the alarm topic, none firing on missing data', () => {
    const names = ['ServerErrorRate', 'LatencyP99', 'RetrainErrors', 'RetrainDeadLetters', 'GateRejections'];
    expect(Object.keys(alarms)).toHaveLength(names.length + Math.ceil(apiFunctions / 10));
    const topicId = Object.keys(resources(template, 'AWS::SNS::Topic'))[0];
    for (const resource of [...names.map(alarm), ...throttleAlarms]) {
      expect(resource.Properties).toMatchObject({
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
      });
    }
  });

  it('alarms on the 5xx rate of the API (errors over requests, past 1 %)', () => {
    const { Properties } = alarm('ServerErrorRate');
    expect(Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' });
    const metrics = queries(alarm('ServerErrorRate'));
    const names = metrics.flatMap((query) =>
      query.MetricStat ? [`${query.MetricStat.Metric.Namespace}/${query.MetricStat.Metric.MetricName}`] : [],
    );
    expect(names.sort()).toEqual(['AWS/ApiGateway/5XXError', 'AWS/ApiGateway/Count']);
    expect(metrics.find((query) => query.ReturnData !== false)?.Expression).toMatch(/errors \/ requests/);
  });

  it('alarms on the p99 latency of the API above the configured milliseconds', () => {
    expect(alarm('LatencyP99').Properties).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 800,
    });
  });

  it('alarms on throttles of every API function, summed, at most 10 functions an alarm', () => {
    const throttled = throttleAlarms.flatMap((resource) => {
      const metrics = queries(resource);
      expect(metrics.find((query) => query.Expression)?.Expression).toMatch(/^SUM\(\[/);
      const summed = metrics.filter((query) => query.MetricStat?.Metric.MetricName === 'Throttles');
      expect(summed.length).toBeLessThanOrEqual(10);
      return summed.map((query) => JSON.stringify(query.MetricStat?.Metric.Dimensions));
    });
    expect(new Set(throttled).size).toBe(apiFunctions);
  });

  it('alarms on retrain failures: function errors and messages in the dead-letter queue', () => {
    expect(alarm('RetrainErrors').Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 0 });
    expect(alarm('RetrainDeadLetters').Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
  });

  it("alarms on the retrain function's gate rejections (Marquee/GateRejections, Powertools' service dimension)", () => {
    expect(alarm('GateRejections').Properties).toMatchObject({
      Namespace: 'Marquee',
      MetricName: 'GateRejections',
      Dimensions: [{ Name: 'service', Value: 'marquee' }],
      Statistic: 'Sum',
      Threshold: 0,
    });
  });

  it('draws a dashboard named after the stage, with the API, the functions and retraining', () => {
    const dashboards = Object.values(resources(template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0].Properties.DashboardName).toBe('Marquee-dev');
    const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
    for (const text of ['API requests', 'API latency', 'Function duration p99', 'GateRejections', 'Retrain dead letters'])
      expect(body).toContain(text);
  });

  it('e-mails the alarms when alarmEmail is set', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    Template.fromStack(testApp({ alarmEmail: 'ops@example.com' }).stacks.observability).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: Match.anyValue(),
    });
  });
});
