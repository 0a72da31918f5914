import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, type Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiStack } from './apiStack.ts';
import type { MarqueeConfig } from './marqueeConfig.ts';
import { ObservabilityStack } from './observabilityStack.ts';
import { partitionByEntry, SERVICE_FUNCTIONS, type ServiceFunctionSpec } from './serviceFunctions.ts';
import { StorageStack } from './storageStack.ts';
import { TrainingStack } from './trainingStack.ts';

/** The repository root (this file is infra/stacks/marqueeStacks.ts). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface MarqueeStacks {
  readonly storage: StorageStack;
  readonly api: ApiStack;
  readonly training: TrainingStack;
  readonly observability: ObservabilityStack;
}

export interface MarqueeStacksOptions {
  /** Default: functions/routes.ts. */
  readonly functions?: readonly ServiceFunctionSpec[];
  /** Where entries, package-lock.json and node_modules are. Default: the repository root. */
  readonly projectRoot?: string;
}

/** The function of GET /v1/model/files, deployed only when the `modelDownloads` setting is on. */
export const MODEL_DOWNLOADS_FUNCTION = 'ModelFiles';

/** The names of a stage's stacks, for tools that read its synthesized templates or outputs. */
export function stackNames(stage: string): Readonly<Record<keyof MarqueeStacks, string>> {
  return {
    storage: `Marquee-${stage}-Storage`,
    api: `Marquee-${stage}-Api`,
    training: `Marquee-${stage}-Training`,
    observability: `Marquee-${stage}-Observability`,
  };
}

/**
 * The service's four stacks for one stage. A function whose handler file does not exist yet is
 * left out with a warning on its stack, and comes in by itself at the first synth after it does.
 */
export function addMarqueeStacks(scope: Construct, config: MarqueeConfig, options: MarqueeStacksOptions = {}): MarqueeStacks {
  const projectRoot = options.projectRoot ?? PROJECT_ROOT;
  const specs = options.functions ?? SERVICE_FUNCTIONS;
  const names = stackNames(config.stage);
  const tags = { project: 'marquee', stage: config.stage };
  const unscheduled = specs.filter((spec) => spec.routes.length === 0 && spec.name !== 'Retrain');
  if (unscheduled.length > 0)
    throw new Error(`${unscheduled.map((spec) => spec.name).join(', ')}: no routes and no schedule; give each a stack`);
  const { present, missing } = partitionByEntry(specs, projectRoot);

  const storage = new StorageStack(scope, names.storage, {
    description: 'Marquee storage: models, events, catalog, user history',
    tags,
    config,
  });
  const api = new ApiStack(scope, names.api, {
    description: 'Marquee API: REST API and its functions',
    tags,
    storage,
    functions: present.filter((spec) => spec.routes.length > 0 && (config.modelDownloads || spec.name !== MODEL_DOWNLOADS_FUNCTION)),
    config,
    projectRoot,
  });
  const training = new TrainingStack(scope, names.training, {
    description: 'Marquee training: scheduled retrain',
    tags,
    storage,
    retrain: present.find((spec) => spec.name === 'Retrain'),
    config,
    projectRoot,
  });
  const observability = new ObservabilityStack(scope, names.observability, {
    description: 'Marquee observability: alarms and dashboard',
    tags,
    api: api.api,
    functions: api.functions,
    retrain: training.retrain,
    deadLetterQueue: training.deadLetterQueue,
    config,
  });
  for (const spec of missing) {
    const stack: Stack = spec.routes.length > 0 ? api : training;
    const routes = spec.routes.map((route) => `${route.method} ${route.path}`).join(', ');
    Annotations.of(stack).addWarningV2(
      'marquee:handler-missing',
      `${spec.entry} does not exist: ${spec.name}${routes ? ` and its routes (${routes})` : ''} are left out of this synth until it does`,
    );
  }
  return { storage, api, training, observability };
}
