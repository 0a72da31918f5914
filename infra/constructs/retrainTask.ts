import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { GatewayVpcEndpointAwsService, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Cluster, ContainerImage, CpuArchitecture, FargateTaskDefinition, LogDrivers, OperatingSystemFamily } from 'aws-cdk-lib/aws-ecs';
import { Rule, type Schedule } from 'aws-cdk-lib/aws-events';
import { EcsTask, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EXIT_KEPT } from '../cli/commands/retrain.ts';
import { acknowledgePrefixGrants, acknowledgeWildcardFindings } from './acknowledgePrefixGrants.ts';
import { grantBucketPrefixes, type PrefixAccess } from './grantBucketPrefixes.ts';
import type { LambdaArchitecture } from './marqueeFunction.ts';

/** The retrain image's Dockerfile, relative to the project root (the build context). */
export const RETRAIN_DOCKERFILE = 'infra/training/Dockerfile';

/** What the build context leaves out (the image installs its own node_modules from the lockfile). */
export const RETRAIN_IMAGE_EXCLUDES = [
  '.git',
  'node_modules',
  'cdk.out',
  '.marquee*',
  '.local',
  'coverage',
  'dist',
  'test',
  'bench',
  '*.tsbuildinfo',
] as const;

/**
 * The container's arguments after `node infra/cli/marquee.mjs` (the image's entry point): the
 * retrain command of the CLI, i.e. the retrain function's own runRetrain, against the bucket,
 * with the task's time budget, its report printed as one JSON line (CloudWatch Logs keeps it).
 */
export function retrainTaskCommand(bucketName: string, budgetMinutes: number): string[] {
  return ['retrain', '--bucket', bucketName, '--budget-minutes', String(budgetMinutes), '--json'];
}

export interface RetrainTaskProps {
  readonly projectRoot: string;
  readonly bucket: IBucket;
  /** What the trainer may touch in the bucket (the Retrain entry of infra/stacks/functionAccess.ts). */
  readonly access: Readonly<Record<string, PrefixAccess>>;
  readonly architecture: LambdaArchitecture;
  /** vCPU in 1024ths; the trainer runs one thread per vCPU. */
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly budgetMinutes: number;
  /** The settings the retrain function gets (RETRAIN_*, IDEMPOTENCY_WINDOW_HOURS, Powertools). */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  /** Where a failed run is reported (the queue the observability stack alarms on). */
  readonly failures: IQueue;
}

/**
 * The retrain as an ECS Fargate task, for data past what one Lambda holds (15 minutes, 10 GB):
 * the same trainer (the CLI's `marquee retrain`, which runs the retrain function's runRetrain),
 * with more memory, hours instead of minutes and one training thread per vCPU. Nothing runs or
 * bills while no task runs: a VPC with public subnets only (no NAT gateway; an S3 gateway
 * endpoint, free, keeps bucket traffic inside AWS), no inbound rule, a cluster without
 * capacity. A task that exits with neither 0 (published) nor 3 (kept), or fails to start, puts
 * its stop event on `failures`.
 */
export class RetrainTask extends Construct {
  readonly cluster: Cluster;
  readonly taskDefinition: FargateTaskDefinition;
  readonly securityGroup: SecurityGroup;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RetrainTaskProps) {
    super(scope, id);
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
      gatewayEndpoints: { S3: { service: GatewayVpcEndpointAwsService.S3 } },
    });
    Validations.of(vpc).acknowledge({
      id: 'AwsSolutions-VPC7',
      reason:
        'The VPC only gives the scheduled retrain task a network interface: no inbound rule, outbound to S3 (gateway endpoint), ECR and CloudWatch Logs; flow logs would bill for nothing to inspect.',
    });
    this.securityGroup = new SecurityGroup(this, 'TaskSecurityGroup', {
      vpc,
      description: 'Marquee retrain task: outbound only',
      allowAllOutbound: true,
    });

    this.cluster = new Cluster(this, 'Cluster', { vpc });
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-ECS4',
      reason:
        'One batch task that runs minutes a day: its JSON report in CloudWatch Logs and the failure rule are the signals; Container Insights would bill custom metrics around the clock.',
    });

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const arm = props.architecture === 'arm64';
    this.taskDefinition = new FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: arm ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    const threads = Math.max(1, Math.floor(props.cpu / 1024));
    this.taskDefinition.addContainer('Retrain', {
      image: ContainerImage.fromAsset(props.projectRoot, {
        file: RETRAIN_DOCKERFILE,
        exclude: [...RETRAIN_IMAGE_EXCLUDES],
        platform: arm ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
      }),
      command: retrainTaskCommand(props.bucket.bucketName, props.budgetMinutes),
      environment: {
        ...props.environment,
        AWS_REGION: Aws.REGION,
        RETRAIN_THREADS: String(threads),
        // Typed arrays live outside the heap; the heap holds the event table while it is built.
        NODE_OPTIONS: `--max-old-space-size=${Math.floor(props.memoryMiB * 0.75)}`,
      },
      logging: LogDrivers.awsLogs({ streamPrefix: 'retrain', logGroup: this.logGroup }),
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The variables are settings (bucket name, thread count, trainer limits), none of them secret.',
    });
    grantBucketPrefixes(props.bucket, this.taskDefinition.taskRole, props.access);
    acknowledgePrefixGrants(this.taskDefinition.taskRole, () => Object.keys(props.access), 'the retrain task');
    const executionRole = this.taskDefinition.obtainExecutionRole();
    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken has no resource to scope to; the image pull itself is scoped to the asset repository by CDK.',
    });

    // A run that fails: its container exited with another code than published (0) or kept (3) …
    new Rule(this, 'FailedRun', {
      description: 'Marquee retrain task exited with an error',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          clusterArn: [this.cluster.clusterArn],
          lastStatus: ['STOPPED'],
          containers: { exitCode: [{ 'anything-but': [0, EXIT_KEPT] }] },
        },
      },
      targets: [new SqsQueue(props.failures)],
    });
    // … or never started (image pull, capacity, permissions).
    new Rule(this, 'FailedStart', {
      description: 'Marquee retrain task failed to start',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { clusterArn: [this.cluster.clusterArn], lastStatus: ['STOPPED'], stopCode: ['TaskFailedToStart'] },
      },
      targets: [new SqsQueue(props.failures)],
    });
  }

  /** Runs the task on `schedule` (EventBridge), undeliverable runs to `deadLetters`. */
  schedule(id: string, schedule: Schedule, description: string, deadLetters: IQueue): Rule {
    const rule = new Rule(this, id, {
      description,
      schedule,
      targets: [
        new EcsTask({
          cluster: this.cluster,
          taskDefinition: this.taskDefinition,
          subnetSelection: { subnetType: SubnetType.PUBLIC },
          assignPublicIp: true,
          securityGroups: [this.securityGroup],
          deadLetterQueue: deadLetters,
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    // The role EventBridge starts the task with (made by the target above).
    const eventsRole = this.taskDefinition.node.tryFindChild('EventsRole') as IRole | undefined;
    if (eventsRole) {
      acknowledgeWildcardFindings(eventsRole, (finding) =>
        /^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:\*:task\/<[^>]+>\/\*$/.test(finding)
          ? 'ecs:TagResource on the tasks of this cluster, whose ids exist only once started (RunTask with tags needs it).'
          : undefined,
      );
    }
    return rule;
  }
}
