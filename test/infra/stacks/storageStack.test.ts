import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { TABLE_KEYS } from '../../../functions/commons/tableKeys.ts';
import { testApp } from './testApp.ts';

describe('StorageStack', () => {
  const template = Template.fromStack(testApp().stacks.storage);

  it('keeps one bucket versioned, encrypted, private and owned by the account, retained on stack deletion', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    });
  });

  it('expires replaced versions after the configured days (30 by default)', () => {
    const lifecycle = (days: number) => ({
      LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: days } })] },
    });
    template.hasResourceProperties('AWS::S3::Bucket', lifecycle(30));
    Template.fromStack(testApp({ noncurrentVersionDays: '7' }).stacks.storage).hasResourceProperties('AWS::S3::Bucket', lifecycle(7));
  });

  it('denies every request without TLS, and below TLS 1.2', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  it.each([
    ['history', TABLE_KEYS.history],
    ['idempotency', TABLE_KEYS.idempotency],
  ])('keeps the %s table on demand, with its keys, its TTL attribute and point-in-time recovery, retained', (_, keys) => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: keys.partitionKey, KeyType: 'HASH' },
          ...('sortKey' in keys ? [{ AttributeName: keys.sortKey, KeyType: 'RANGE' }] : []),
        ],
        AttributeDefinitions: [
          { AttributeName: keys.partitionKey, AttributeType: 'S' },
          ...('sortKey' in keys ? [{ AttributeName: keys.sortKey, AttributeType: 'S' }] : []),
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: keys.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    });
  });

  it('has exactly the two tables, and outputs the names the CLI asks for', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    for (const name of ['BucketName', 'HistoryTableName', 'IdempotencyTableName'])
      template.hasOutput(name, { Value: { Ref: Match.anyValue() } });
  });
});
