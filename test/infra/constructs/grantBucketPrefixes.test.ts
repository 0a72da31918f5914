import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { grantBucketPrefixes } from '../../../infra/constructs/grantBucketPrefixes.ts';

function policyOf(access: Parameters<typeof grantBucketPrefixes>[2]) {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Test');
  const bucket = new Bucket(stack, 'Bucket');
  const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  grantBucketPrefixes(bucket, role, access);
  const bucketId = stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnElement)) as string;
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
  const statements = policies.flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Condition?: unknown }[],
  );
  const name = (resource: unknown): string => {
    const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return `bucket${join[1][1] as string}`;
    expect(resource).toEqual({ 'Fn::GetAtt': [bucketId, 'Arn'] });
    return 'bucket';
  };
  return statements.map((statement) => ({
    actions: [statement.Action].flat().sort(),
    resources: [statement.Resource].flat().map(name).sort(),
    ...(statement.Condition ? { condition: statement.Condition } : {}),
  }));
}

describe('grantBucketPrefixes', () => {
  it('grants object actions under each prefix and lists only the readable prefixes', () => {
    const statements = policyOf({ 'models/': 'read', 'events/': 'readWriteDelete', 'tombstones/': 'write' });
    expect(statements).toEqual(
      expect.arrayContaining([
        { actions: ['s3:GetObject'], resources: ['bucket/models/*'] },
        { actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], resources: ['bucket/events/*'] },
        { actions: ['s3:PutObject'], resources: ['bucket/tombstones/*'] },
        { actions: ['s3:ListBucket'], resources: ['bucket'], condition: { StringLike: { 's3:prefix': ['events/*', 'models/*'] } } },
      ]),
    );
    expect(statements.flatMap((statement) => statement.actions).filter((action) => action.includes('*'))).toEqual([]);
  });

  it('grants nothing for no prefix, and no listing to a write-only grantee', () => {
    expect(policyOf({})).toEqual([]);
    expect(policyOf({ 'events/': 'write' })).toEqual([{ actions: ['s3:PutObject'], resources: ['bucket/events/*'] }]);
  });

  it.each(['models', '/models/', 'models/*', 'Models/', ''])('refuses the prefix "%s"', (prefix) => {
    expect(() => policyOf({ [prefix]: 'read' })).toThrow(/bucket prefix/);
  });
});
