import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';

/**
 * What a function may do under one key prefix. `read` includes listing that prefix (and only it),
 * which also makes S3 answer NoSuchKey rather than AccessDenied for a missing key there.
 */
export type PrefixAccess = 'read' | 'write' | 'readWrite' | 'readWriteDelete';

const OBJECT_ACTIONS: Readonly<Record<PrefixAccess, readonly string[]>> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject'],
  readWrite: ['s3:GetObject', 's3:PutObject'],
  readWriteDelete: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
};

const PREFIX = /^[a-z0-9][a-z0-9_-]*\/([a-z0-9][a-z0-9_-]*\/)*$/;

/**
 * Grants `grantee` exactly the listed actions under each prefix: object actions on
 * `<bucket>/<prefix>*`, and s3:ListBucket on the bucket with an `s3:prefix` condition naming the
 * readable prefixes. Unlike `bucket.grantRead(fn, 'models/*')`, whose `s3:GetObject*`, `s3:List*`
 * and `s3:GetBucket*` wildcards reach versions, ACLs and every key name in the bucket, no action
 * here is a wildcard. The bucket uses S3-managed keys, so no KMS grant is needed.
 */
export function grantBucketPrefixes(
  bucket: IBucket,
  grantee: IGrantable,
  access: Readonly<Record<string, PrefixAccess>>,
): Grant | undefined {
  const prefixes = Object.keys(access).sort();
  for (const prefix of prefixes) {
    if (!PREFIX.test(prefix)) throw new Error(`bucket prefix must be lowercase folder names ending in "/", got "${prefix}"`);
  }
  let grant: Grant | undefined;
  const combine = (next: Grant) => {
    grant = grant ? grant.combine(next) : next;
  };
  for (const prefix of prefixes) {
    combine(
      Grant.addToPrincipal({ grantee, actions: [...OBJECT_ACTIONS[access[prefix]]], resourceArns: [bucket.arnForObjects(`${prefix}*`)] }),
    );
  }
  const listable = prefixes.filter((prefix) => access[prefix] !== 'write');
  if (listable.length > 0) {
    combine(
      Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket'],
        resourceArns: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': listable.map((prefix) => `${prefix}*`) } },
      }),
    );
  }
  return grant;
}
