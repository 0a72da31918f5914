import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { MarqueeFunction } from '../constructs/marqueeFunction.ts';
import { bindStorage } from './functionAccess.ts';
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
 * observability stack alarms on.
 */
export class TrainingStack extends Stack {
  readonly deadLetterQueue: Queue;
  readonly retrain: MarqueeFunction | undefined;
  readonly schedule: Rule | undefined;

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
    retrain.function.configureAsyncInvoke({ onFailure: new SqsDestination(this.deadLetterQueue), retryAttempts: 1, maxEventAge: Duration.hours(6) });
    this.retrain = retrain;

    this.schedule = new Rule(this, 'RetrainSchedule', {
      description: `Marquee retrain, ${config.retrainSchedule}`,
      schedule: Schedule.expression(config.retrainSchedule),
      targets: [new LambdaFunction(retrain.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(6) })],
    });

    new CfnOutput(this, 'RetrainFunctionName', { value: retrain.function.functionName, description: 'Invoke it to retrain now' });
  }
}
