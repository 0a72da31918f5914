import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RemovalPolicy, Validations, type Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../../functions/routes.ts';
import { acknowledgePrefixGrants } from './acknowledgePrefixGrants.ts';
import { grantBucketPrefixes, type PrefixAccess } from './grantBucketPrefixes.ts';
import { FUNCTION_METADATA_KEY, type FunctionMetadata } from './templateMetadata.ts';

export type LambdaArchitecture = 'x86_64' | 'arm64';
/** DynamoDB actions granted on one table, named one by one (no `grantReadData` bundle). */
export type TableActions = readonly `dynamodb:${string}`[];
/** The variables of functions/commons/config.ts that name a table. */
export type TableEnvironmentName = 'HISTORY_TABLE_NAME' | 'IDEMPOTENCY_TABLE_NAME';

export interface MarqueeFunctionProps {
  readonly spec: FunctionSpec;
  /** The repository root: entries in `spec` are relative to it, and it holds package-lock.json and node_modules. */
  readonly projectRoot: string;
  readonly architecture: LambdaArchitecture;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  /** Settings of functions/commons/config.ts and Powertools' variables (names of resources come from the bind methods). */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * ESM bundles of CommonJS dependencies call `require` for Node built-ins; ESM has none, so the
 * bundle starts by making one (aliased, so no bundled module's own `createRequire` clashes).
 */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __marqueeCreateRequire } from 'node:module'; const require = __marqueeCreateRequire(import.meta.url);";

const FINISH_BUNDLE_SCRIPT = fileURLToPath(new URL('./finishBundle.ts', import.meta.url));

/**
 * A function of functions/routes.ts with the project's defaults baked in: Node.js 22, ESM bundled
 * locally by esbuild (no Docker; the AWS SDK bundled so the deployed version is the tested one),
 * onnxruntime-node kept external and shipped with only the target architecture's Linux binary for
 * functions that declare `usesOnnxRuntime`, its own log group with retention, and its own role
 * that starts with nothing but writing to that log group (no managed policy). Access to storage
 * is added with `bindBucket` / `bindTable`, which set the variable and the grant in one call.
 */
export class MarqueeFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly #bucketPrefixes = new Set<string>();

  constructor(scope: Construct, id: string, props: MarqueeFunctionProps) {
    super(scope, id);
    const { spec, projectRoot } = props;
    this.spec = spec;
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Marquee ${spec.name} function`,
    });
    this.role = role;
    this.logGroup.grantWrite(role);
    const onnxArch = props.architecture === 'arm64' ? 'arm64' : 'x64';

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(projectRoot, spec.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: props.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role,
      logGroup: this.logGroup,
      description: describe(spec),
      environment: { ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: CREATE_REQUIRE_BANNER,
        minify: true,
        // Readable function names in stack traces without shipping source maps.
        keepNames: true,
        sourceMap: false,
        bundleAwsSDK: true,
        externalModules: ['onnxruntime-node'],
        metafile: true,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => [
            ['node', '--import', 'tsx', FINISH_BUNDLE_SCRIPT, inputDir, outputDir, onnxArch, String(spec.usesOnnxRuntime), spec.name]
              .map(quote)
              .join(' '),
          ],
        },
      },
    });
    const metadata: FunctionMetadata = { name: spec.name, entry: spec.entry, usesOnnxRuntime: spec.usesOnnxRuntime };
    (this.function.node.defaultChild as CfnFunction).addMetadata(FUNCTION_METADATA_KEY, metadata);

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime the project builds and tests for (Node 20 and 22); a newer one comes once the code is tested on it.',
    });
    acknowledgePrefixGrants(this.role, () => this.#bucketPrefixes, spec.name);
  }

  /** Sets BUCKET_NAME and grants exactly `access` under each prefix (nothing when empty). */
  bindBucket(bucket: IBucket, access: Readonly<Record<string, PrefixAccess>> = {}): this {
    this.function.addEnvironment('BUCKET_NAME', bucket.bucketName);
    grantBucketPrefixes(bucket, this.function, access);
    for (const prefix of Object.keys(access)) this.#bucketPrefixes.add(prefix);
    return this;
  }

  /**
   * Sets the table's variable and grants exactly `actions` on it (none when empty): unlike
   * grantReadData / grantReadWriteData, no Scan or Query of the whole table comes along.
   */
  bindTable(table: ITable, variable: TableEnvironmentName, actions: TableActions = []): this {
    this.function.addEnvironment(variable, table.tableName);
    if (actions.length > 0) table.grant(this.function, ...actions);
    return this;
  }
}

function describe(spec: FunctionSpec): string {
  const routes = spec.routes.map((route) => `${route.method} ${route.path}`).join(', ');
  return `Marquee ${spec.name}${routes ? `: ${routes}` : ''}`.slice(0, 256);
}

/** Double quotes, which bash and cmd both understand, for arguments without quotes, `$` or backticks. */
function quote(arg: string): string {
  if (/["$`]/.test(arg)) throw new Error(`cannot pass ${arg} to the bundling shell`);
  return `"${arg}"`;
}
