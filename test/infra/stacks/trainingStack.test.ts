import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { EXIT_KEPT } from '../../../infra/cli/commands/retrain.ts';
import { RETRAIN_DOCKERFILE } from '../../../infra/constructs/retrainTask.ts';
import { MarqueeConfigError } from '../../../infra/stacks/marqueeConfig.ts';
import { functionsByName, resources, storageAccess } from './templateQueries.ts';
import { fixtureFunctions, testApp } from './testApp.ts';

describe('TrainingStack', () => {
  const { stacks } = testApp();
  const template = Template.fromStack(stacks.training);
  const retrain = functionsByName(template).get('Retrain');

  it('runs the retrain function with training-sized memory and timeout (3008 MB, 15 min by default), configurable', () => {
    expect(retrain?.resource.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      MemorySize: 3008,
      Timeout: 900,
      Architectures: ['x86_64'],
    });
    const custom = functionsByName(
      Template.fromStack(testApp({ retrainMemoryMb: '10240', retrainTimeoutMinutes: '10', architecture: 'arm64' }).stacks.training),
    );
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
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
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
    Annotations.fromStack(early.stacks.training).hasWarning(
      '*',
      Match.stringLikeRegexp('functions/retrain/not-yet.ts does not exist: Retrain'),
    );
    expect(early.stacks.training.retrain).toBeUndefined();
  });
});

describe('TrainingStack with trainingCompute=fargate (data past one Lambda)', () => {
  const { app, stacks } = testApp({ trainingCompute: 'fargate' });
  const template = Template.fromStack(stacks.training);
  const taskDefinitions = resources(template, 'AWS::ECS::TaskDefinition');
  const [taskDefinitionId, taskDefinition] = Object.entries(taskDefinitions)[0];
  const container = (taskDefinition.Properties.ContainerDefinitions as Record<string, any>[])[0];
  const queueId = Object.keys(resources(template, 'AWS::SQS::Queue'))[0];

  it('defines one Fargate task: 4 vCPU and 16 GB by default, the image built from infra/training/Dockerfile', () => {
    expect(Object.keys(taskDefinitions)).toHaveLength(1);
    expect(taskDefinition.Properties).toMatchObject({
      Cpu: '4096',
      Memory: '16384',
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
    const assembly = app.synth();
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stacks.training.stackName}.assets.json`), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile: string; platform: string } }>;
    };
    const images = Object.values(manifest.dockerImages);
    expect(images.map((image) => image.source)).toEqual([
      { directory: expect.any(String), dockerFile: RETRAIN_DOCKERFILE, platform: 'linux/amd64' },
    ]);
    // The build context: the sources and the lockfile, not node_modules, tests or local data.
    const context = readdirSync(join(assembly.directory, images[0].source.directory));
    expect(context).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'model', 'functions', 'infra']));
    for (const left of ['node_modules', 'test', 'bench', '.git', 'cdk.out', '.marquee']) expect(context).not.toContain(left);
    const arm = Template.fromStack(
      testApp({ trainingCompute: 'fargate', architecture: 'arm64', retrainTaskCpu: '8192', retrainTaskMemoryMb: '32768' }).stacks.training,
    );
    arm.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '8192', Memory: '32768', RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    expect(() => testApp({ trainingCompute: 'fargate', retrainTaskCpu: '3000' })).toThrow(MarqueeConfigError);
  });

  it('runs `marquee retrain --bucket <bucket> --budget-minutes 120 --json`, one training thread per vCPU, logs kept as configured', () => {
    expect(container.Command).toEqual(['retrain', '--bucket', expect.anything(), '--budget-minutes', '120', '--json']);
    expect(JSON.stringify(container.Command[2])).toContain('Bucket');
    const environment = Object.fromEntries((container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
    expect(environment).toMatchObject({ RETRAIN_THREADS: '4', NODE_OPTIONS: '--max-old-space-size=12288', IDEMPOTENCY_WINDOW_HOURS: '24' });
    expect(container.LogConfiguration).toMatchObject({ LogDriver: 'awslogs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('puts the schedule on the task (public subnets, a public IP, the dead-letter queue), not on the function', () => {
    const target = new Capture();
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)', Targets: [target] });
    expect(target.asObject()).toMatchObject({
      EcsParameters: {
        LaunchType: 'FARGATE',
        TaskDefinitionArn: { Ref: taskDefinitionId },
        NetworkConfiguration: { AwsVpcConfiguration: { AssignPublicIp: 'ENABLED' } },
      },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 2 },
    });
    // The function stays for on-demand runs, off the schedule.
    expect(functionsByName(template).has('Retrain')).toBe(true);
    const schedules = Object.values(resources(template, 'AWS::Events::Rule')).filter((rule) => rule.Properties.ScheduleExpression);
    expect(schedules).toHaveLength(1);
  });

  it('costs nothing while idle: no NAT gateway, public subnets only, no inbound rule; S3 through a gateway endpoint', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const subnet of Object.values(resources(template, 'AWS::EC2::Subnet'))) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(true);
    for (const group of Object.values(resources(template, 'AWS::EC2::SecurityGroup')))
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.s3'])] }),
    });
  });

  it('gives the task role exactly the retrain function’s storage access', () => {
    const fnAccess = storageAccess(template, stacks.storage, functionsByName(template).get('Retrain')!.resource);
    const taskAccess = storageAccess(template, stacks.storage, {
      Type: 'AWS::IAM::Role',
      Properties: { Role: taskDefinition.Properties.TaskRoleArn },
    });
    expect(taskAccess).toEqual(fnAccess);
    expect(Object.keys(taskAccess.actions)).toContain('bucket/models/*');
  });

  it('reports a run that exits with an error (not 0 published, not 3 kept) or fails to start to the dead-letter queue', () => {
    const clusterId = Object.keys(resources(template, 'AWS::ECS::Cluster'))[0];
    const failures = Object.values(resources(template, 'AWS::Events::Rule')).filter((rule) => rule.Properties.EventPattern);
    expect(failures.map((rule) => rule.Properties.EventPattern.detail)).toEqual([
      {
        clusterArn: [{ 'Fn::GetAtt': [clusterId, 'Arn'] }],
        lastStatus: ['STOPPED'],
        containers: { exitCode: [{ 'anything-but': [0, EXIT_KEPT] }] },
      },
      { clusterArn: [{ 'Fn::GetAtt': [clusterId, 'Arn'] }], lastStatus: ['STOPPED'], stopCode: ['TaskFailedToStart'] },
    ]);
    for (const rule of failures)
      expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } })]);
  });

  it('passes the cdk-nag AwsSolutions checks, every finding acknowledged with a reason', () => {
    expect(new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app).violations).toEqual([]);
  });
});
