import { Annotations, Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MarqueeConfigError } from '../../../infra/stacks/marqueeConfig.ts';
import { functionsByName, resources, storageAccess } from './templateQueries.ts';
import { fixtureFunctions, testApp } from './testApp.ts';

describe('TrainingStack', () => {
  const { stacks } = testApp();
  const template = Template.fromStack(stacks.training);
  const retrain = functionsByName(template).get('Retrain');

  it('runs the retrain function with training-sized memory and timeout (3008 MB, 15 min by default), configurable', () => {
    expect(retrain?.resource.Properties).toMatchObject({ Runtime: 'nodejs22.x', MemorySize: 3008, Timeout: 900, Architectures: ['x86_64'] });
    const custom = functionsByName(Template.fromStack(testApp({ retrainMemoryMb: '10240', retrainTimeoutMinutes: '10', architecture: 'arm64' }).stacks.training));
    expect(custom.get('Retrain')?.resource.Properties).toMatchObject({ MemorySize: 10_240, Timeout: 600, Architectures: ['arm64'] });
  });

  it('invokes it on an EventBridge schedule, daily by default, with a dead-letter queue and retries', () => {
    const target = new Capture();
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)', State: 'ENABLED', Targets: [target] });
    const queueId = Object.keys(resources(template, 'AWS::SQS::Queue'))[0];
    expect(target.asObject()).toMatchObject({
      Arn: { 'Fn::GetAtt': [retrain?.logicalId, 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 2 },
    });
    const hourly = Template.fromStack(testApp({ retrainSchedule: 'rate(6 hours)' }).stacks.training);
    hourly.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
    expect(() => testApp({ retrainSchedule: 'every day' })).toThrow(MarqueeConfigError);
  });

  it('sends a failed run (after one retry) to the same queue, which is encrypted and TLS-only', () => {
    const queueId = Object.keys(resources(template, 'AWS::SQS::Queue'))[0];
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: retrain?.logicalId },
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('reads events, catalog and tombstones, publishes and prunes models, and rewrites events only under events/', () => {
    const { actions, listPrefixes } = storageAccess(template, stacks.storage, retrain!.resource);
    expect(actions).toEqual({
      bucket: ['s3:ListBucket'],
      'bucket/events/*': ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      'bucket/models/*': ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      'bucket/catalog/items/*': ['s3:GetObject'],
      'bucket/catalog/changes/*': ['s3:GetObject'],
      'bucket/tombstones/*': ['s3:GetObject'],
    });
    expect(listPrefixes).toEqual(['catalog/changes/*', 'catalog/items/*', 'events/*', 'models/*', 'tombstones/*']);
  });

  it('while the retrain handler does not exist: no function and no schedule, a warning, the queue already there', () => {
    const specs = fixtureFunctions().map((spec) => (spec.name === 'Retrain' ? { ...spec, entry: 'functions/retrain/not-yet.ts' } : spec));
    const early = testApp({}, specs);
    const earlyTemplate = Template.fromStack(early.stacks.training);
    earlyTemplate.resourceCountIs('AWS::Lambda::Function', 0);
    earlyTemplate.resourceCountIs('AWS::Events::Rule', 0);
    earlyTemplate.resourceCountIs('AWS::SQS::Queue', 1);
    Annotations.fromStack(early.stacks.training).hasWarning('*', Match.stringLikeRegexp('functions/retrain/not-yet.ts does not exist: Retrain'));
    expect(early.stacks.training.retrain).toBeUndefined();
  });
});
