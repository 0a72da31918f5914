import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ServiceConfig } from './config.ts';

/**
 * The SDK clients, created once per container. Endpoints come from the SDK's own variables
 * (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB), so the same code talks to AWS or to the
 * local servers.
 */
export interface AwsClients {
  readonly s3: S3Client;
  readonly dynamo: DynamoDBDocumentClient;
}

let shared: AwsClients | undefined;

export function awsClients(config: ServiceConfig): AwsClients {
  shared ??= createAwsClients(config);
  return shared;
}

export function createAwsClients(config: Pick<ServiceConfig, 's3ForcePathStyle'>): AwsClients {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const s3 = new S3Client({ region, forcePathStyle: config.s3ForcePathStyle });
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { s3, dynamo };
}
