import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../functions/routes.ts';
import { FUNCTION_METADATA_KEY, type FunctionMetadata } from '../../../infra/constructs/templateMetadata.ts';
import { parseMarqueeConfig, readMarqueeConfig } from '../../../infra/stacks/marqueeConfig.ts';
import { addMarqueeStacks, PROJECT_ROOT, stackNames } from '../../../infra/stacks/marqueeStacks.ts';
import { partitionByEntry, SERVICE_FUNCTIONS } from '../../../infra/stacks/serviceFunctions.ts';
import { functionsByName, resources } from './templateQueries.ts';
import { cdkJsonContext, fixtureFunctions, FIXTURE_HANDLER, testApp } from './testApp.ts';

const templates = (app: ReturnType<typeof testApp>) => Object.values(app.stacks).map((stack) => Template.fromStack(stack).toJSON());

describe('the Marquee app', () => {
  it('names its four stacks after the stage, and tags them', () => {
    const { stacks } = testApp({ stage: 'prod' });
    expect(Object.values(stacks).map((stack) => stack.stackName)).toEqual(Object.values(stackNames('prod')));
    expect(stackNames('prod').api).toBe('Marquee-prod-Api');
    expect(stacks.api.tags.tagValues()).toEqual({ project: 'marquee', stage: 'prod' });
  });

  it('passes the cdk-nag AwsSolutions checks, every finding acknowledged with a reason', () => {
    const { app } = testApp();
    app.synth();
    expect(new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app).violations).toEqual([]);
  });

  it('still reports a wildcard that is not a prefix grant (the acknowledgements are exact)', () => {
    const { app, stacks } = testApp();
    const recommend = stacks.api.functions.find((fn) => fn.spec.name === 'Recommend')!;
    recommend.function.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:Get*'], resources: [stacks.storage.bucket.arnForObjects('*')] }),
    );
    app.synth();
    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((violation) => violation.ruleName);
    expect(rules).toContain('AwsSolutions-IAM5[Action::s3:Get*]');
    expect(rules.filter((rule) => rule.startsWith('AwsSolutions-IAM5[Resource::') && rule.endsWith('/*]'))).toHaveLength(1);
  });

  it('synthesizes as `cdk synth` does: cdk.json context, CDK validation and cdk-nag at the app root, no error', () => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    addMarqueeStacks(app, readMarqueeConfig(app.node), { functions: fixtureFunctions() });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual(Object.values(stackNames('dev')).sort());
  });

  it('synthesizes the same templates twice', () => {
    expect(templates(testApp())).toEqual(templates(testApp()));
  });

  it('marks every function with its functions/routes.ts entry, for the local service', () => {
    const { stacks } = testApp({ modelDownloads: true });
    const marked = [stacks.api, stacks.training].flatMap((stack) =>
      Object.values(resources(Template.fromStack(stack), 'AWS::Lambda::Function')).map(
        (fn) => fn.Metadata?.[FUNCTION_METADATA_KEY] as FunctionMetadata,
      ),
    );
    expect(marked.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      FUNCTIONS.map((spec) => ({ name: spec.name, entry: FIXTURE_HANDLER, usesOnnxRuntime: spec.usesOnnxRuntime })).sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    );
  });

  it('deploys, from the real functions/routes.ts, exactly the functions whose handler exists', () => {
    const app = new App({
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], modelDownloads: 'true' },
      builtinCloudFormationValidation: false,
    });
    const stacks = addMarqueeStacks(app, readMarqueeConfig(app.node));
    const { present } = partitionByEntry(SERVICE_FUNCTIONS, PROJECT_ROOT);
    const deployed = new Map([stacks.api, stacks.training].flatMap((stack) => [...functionsByName(Template.fromStack(stack))]));
    expect([...deployed.keys()].sort()).toEqual(present.map((spec) => spec.name).sort());
    for (const [name, { resource }] of deployed) {
      expect((resource.Metadata![FUNCTION_METADATA_KEY] as FunctionMetadata).entry).toBe(
        FUNCTIONS.find((spec) => spec.name === name)?.entry,
      );
    }
  });

  it('refuses a function with neither routes nor a schedule', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const specs = [...fixtureFunctions(), { name: 'Health' as const, entry: FIXTURE_HANDLER, usesOnnxRuntime: false, routes: [] }];
    expect(() => addMarqueeStacks(app, parseMarqueeConfig({}), { functions: specs })).toThrow(/Health: no routes and no schedule/);
  });
});
