import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Lets the playground page (served by the local API at `origin`) read the bucket's objects from
 * the browser: the presigned URLs of GET /v1/model/files point at s3rver, another origin. GET and
 * HEAD only, and only for the local API's own origins (`localhost` and `127.0.0.1` at its port),
 * so other sites open in the same browser cannot read the local store.
 */
export async function allowPlaygroundOrigin(s3: S3Client, bucket: string, port: number): Promise<void> {
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
            AllowedMethods: ['GET', 'HEAD'],
            AllowedHeaders: ['*'],
            ExposeHeaders: ['Content-Length', 'ETag'],
            MaxAgeSeconds: 600,
          },
        ],
      },
    }),
  );
}
