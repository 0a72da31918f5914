import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { readMarqueeConfig, type MarqueeConfig } from '../../../infra/stacks/marqueeConfig.ts';
import { addMarqueeStacks, PROJECT_ROOT, type MarqueeStacks } from '../../../infra/stacks/marqueeStacks.ts';
import { SERVICE_FUNCTIONS, type ServiceFunctionSpec } from '../../../infra/stacks/serviceFunctions.ts';

/** Relative to the repository root, as entries in functions/routes.ts are. */
export const FIXTURE_HANDLER = 'test/infra/stacks/fixtures/handler.ts';

/** functions/routes.ts with every entry pointing at the fixture handler. */
export function fixtureFunctions(): ServiceFunctionSpec[] {
  return SERVICE_FUNCTIONS.map((spec) => ({ ...spec, entry: FIXTURE_HANDLER }));
}

/** The context of cdk.json (feature flags and all), so tests build what `cdk synth` builds. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

export interface TestApp {
  readonly app: App;
  readonly config: MarqueeConfig;
  readonly stacks: MarqueeStacks;
}

/**
 * The app as cdk.json builds it, plus `context` (as `-c key=value` would give it), with every
 * function present (fixture handlers) unless `functions` says otherwise. Bundling is skipped
 * (the asset test bundles), and so is CDK's built-in CloudFormation validation, which costs about
 * 30 s per process; the app test runs a synth with it.
 */
export function testApp(context: Record<string, unknown> = {}, functions: readonly ServiceFunctionSpec[] = fixtureFunctions()): TestApp {
  const app = new App({
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const config = readMarqueeConfig(app.node);
  const stacks = addMarqueeStacks(app, config, { functions });
  return { app, config, stacks };
}

/** CloudFormation resources of one type, by logical id. */
export type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown>; DependsOn?: unknown }
>;
