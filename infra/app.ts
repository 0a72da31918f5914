#!/usr/bin/env node
// The CDK app (`npx cdk synth`, `npx cdk deploy`; see cdk.json): wires the stacks and the cdk-nag checks, nothing else.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readMarqueeConfig } from './stacks/marqueeConfig.ts';
import { addMarqueeStacks } from './stacks/marqueeStacks.ts';

const app = new App();
addMarqueeStacks(app, readMarqueeConfig(app.node));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
