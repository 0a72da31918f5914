import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { TABLE_KEYS, type TableKeySchema } from '../../functions/commons/tableKeys.ts';
import type { MarqueeConfig } from './marqueeConfig.ts';

/** What the other stacks receive: typed resources, not names. */
export interface StorageResources {
  readonly bucket: IBucket;
  readonly historyTable: ITable;
  readonly idempotencyTable: ITable;
}

export interface StorageStackProps extends StackProps {
  readonly config: Pick<MarqueeConfig, 'noncurrentVersionDays'>;
}

/**
 * The state of the service: one bucket (models, events, catalog, tombstones) and the two tables
 * (recent history per user, event-id idempotency). Everything here is retained when the stack is
 * deleted: events are the source of truth for retraining.
 */
export class StorageStack extends Stack implements StorageResources {
  readonly bucket: Bucket;
  readonly historyTable: Table;
  readonly idempotencyTable: Table;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    this.bucket = new Bucket(this, 'Bucket', {
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'ExpireReplacedVersions',
          // A replaced pointer, a deleted old model or a compacted events object stays recoverable this long.
          noncurrentVersionExpiration: Duration.days(props.config.noncurrentVersionDays),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only the service functions, through their own roles, touch this bucket; their reads and writes are logged by the functions, ' +
        'and CloudTrail data events can be enabled for audit. Server access logs would need a second bucket that grows with every serving read.',
    });

    this.historyTable = this.table('HistoryTable', TABLE_KEYS.history);
    this.idempotencyTable = this.table('IdempotencyTable', TABLE_KEYS.idempotency);

    new CfnOutput(this, 'BucketName', {
      value: this.bucket.bucketName,
      description: 'The bucket of models, events, catalog and tombstones',
    });
    new CfnOutput(this, 'HistoryTableName', {
      value: this.historyTable.tableName,
      description: 'Recent history per user, one item per event',
    });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.idempotencyTable.tableName, description: 'Event ids seen recently' });
  }

  private table(id: string, keys: TableKeySchema): Table {
    return new Table(this, id, {
      partitionKey: { name: keys.partitionKey, type: AttributeType.STRING },
      ...(keys.sortKey ? { sortKey: { name: keys.sortKey, type: AttributeType.STRING } } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: keys.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Encrypted at rest with DynamoDB's own key: no KMS requests, no key to manage.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
