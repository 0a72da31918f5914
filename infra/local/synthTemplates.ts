import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { readMarqueeConfig } from '../stacks/marqueeConfig.ts';
import { addMarqueeStacks } from '../stacks/marqueeStacks.ts';
import type { CfnTemplate, ServiceTemplates } from './cfnTemplate.ts';

export interface SynthTemplatesOptions {
  /** The repository root: cdk.json, functions/, infra/. */
  readonly projectRoot: string;
  /** Context over cdk.json's, as `cdk synth -c key=value` gives it. */
  readonly context?: Readonly<Record<string, unknown>>;
}

/**
 * Synthesizes the service's stacks in this process, as `cdk synth` builds them from infra/app.ts
 * (cdk.json's context and feature flags, then `context`), and returns every stack's template.
 * Assets are not bundled (CDK's `aws:cdk:bundling-stacks` set to none, as `cdk synth --exclusively`
 * does for stacks it skips): the local service runs the handlers from source, and only the
 * template — routes, methods, functions, their environment — is wanted. cdk-nag is left out too:
 * it adds findings, never resources.
 */
export function synthTemplates(options: SynthTemplatesOptions): ServiceTemplates {
  const cdkJson = JSON.parse(readFileSync(join(options.projectRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({
    context: { ...cdkJson.context, ...options.context, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  addMarqueeStacks(app, readMarqueeConfig(app.node), { projectRoot: options.projectRoot });
  const assembly = app.synth();
  const stacks: Record<string, CfnTemplate> = {};
  for (const stack of assembly.stacks) stacks[stack.stackName] = stack.template as CfnTemplate;
  return { stacks };
}
