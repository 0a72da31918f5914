import { CfnOutput, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { MarqueeFunction } from '../constructs/marqueeFunction.ts';
import { RetrainTask } from '../constructs/retrainTask.ts';
import { bindStorage, FUNCTION_ACCESS } from './functionAccess.ts';
import { functionEnvironment } from './functionEnvironment.ts';
import type { MarqueeConfig } from './marqueeConfig.ts';
import type { ServiceFunctionSpec } from './serviceFunctions.ts';
import type { StorageResources } from './storageStack.ts';

export interface TrainingStackProps extends StackProps {
  readonly storage: StorageResources;
  /** The retrain function's spec; undefined while its handler does not exist. */
  readonly retrain: ServiceFunctionSpec | undefined;
  readonly config: MarqueeConfig;
  readonly projectRoot: string;
}

/**
 * Retraining: the retrain function on an EventBridge schedule. A run that fails (after one
 * retry) and an event the schedule cannot deliver both land in the dead-letter queue, which the
 * observability stack alarms on. With `trainingCompute: fargate` the schedule runs the same
 * trainer as a Fargate task instead (data past one Lambda); the function stays for on-demand runs.
 */
export class TrainingStack extends Stack {
  readonly deadLetterQueue: Queue;
  readonly retrain: MarqueeFunction | undefined;
  readonly schedule: Rule | undefined;
  /** The Fargate retrain task, with `trainingCompute: fargate`. */
  readonly retrainTask: RetrainTask | undefined;

  constructor(scope: Construct, id: string, props: TrainingStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.deadLetterQueue = new Queue(this, 'RetrainDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the retrain function and of its schedule.',
    });
    if (!props.retrain) return;

    const retrain = new MarqueeFunction(this, props.retrain.name, {
      spec: props.retrain,
      projectRoot: props.projectRoot,
      architecture: config.architecture,
      memorySize: config.retrainMemoryMb,
      timeout: Duration.minutes(config.retrainTimeoutMinutes),
      logRetention: config.logRetentionDays,
      environment: functionEnvironment(config),
    });
    bindStorage(retrain, props.retrain.name, props.storage);
    // Asynchronous invocations (the schedule, `aws lambda invoke --invocation-type Event`): one retry, then the queue.
    retrain.function.configureAsyncInvoke({
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts: 1,
      maxEventAge: Duration.hours(6),
    });
    this.retrain = retrain;

    new CfnOutput(this, 'RetrainFunctionName', { value: retrain.function.functionName, description: 'Invoke it to retrain now' });

    const description = `Marquee retrain, ${config.retrainSchedule}`;
    const schedule = Schedule.expression(config.retrainSchedule);
    if (config.trainingCompute === 'lambda') {
      this.schedule = new Rule(this, 'RetrainSchedule', {
        description,
        schedule,
        targets: [
          new LambdaFunction(retrain.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(6) }),
        ],
      });
      return;
    }
    const task = new RetrainTask(this, 'RetrainTask', {
      projectRoot: props.projectRoot,
      bucket: props.storage.bucket,
      access: FUNCTION_ACCESS.Retrain.bucket,
      architecture: config.architecture,
      cpu: config.retrainTaskCpu,
      memoryMiB: config.retrainTaskMemoryMb,
      budgetMinutes: config.retrainTaskBudgetMinutes,
      environment: functionEnvironment(config),
      logRetention: config.logRetentionDays,
      failures: this.deadLetterQueue,
    });
    this.retrainTask = task;
    this.schedule = task.schedule('RetrainSchedule', schedule, `${description} (Fargate task)`, this.deadLetterQueue);
    const subnets = task.cluster.vpc.selectSubnets({ subnetType: SubnetType.PUBLIC }).subnetIds;
    new CfnOutput(this, 'RetrainTaskRunCommand', {
      description: 'Run the retrain task now',
      value: Fn.join('', [
        'aws ecs run-task --launch-type FARGATE --cluster ',
        task.cluster.clusterName,
        ' --task-definition ',
        task.taskDefinition.taskDefinitionArn,
        ' --network-configuration awsvpcConfiguration={subnets=[',
        Fn.join(',', subnets),
        '],securityGroups=[',
        task.securityGroup.securityGroupId,
        '],assignPublicIp=ENABLED}',
      ]),
    });
  }
}
