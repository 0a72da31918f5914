import { describe, expect, it } from 'vitest';
import {
  functionEnvironment,
  LOCAL_RUNTIME_VARIABLES,
  LocalEnvironmentError,
  sharedEnvironment,
} from '../../../infra/local/functionEnvironment.ts';
import type { TemplateFunction } from '../../../infra/local/serviceDefinition.ts';

const fn = (environment: Record<string, unknown>): TemplateFunction => ({
  name: 'Popular',
  stack: 'S',
  logicalId: 'Popular1',
  entry: 'functions/popular/handler.ts',
  exportName: 'handler',
  environment,
  timeoutSeconds: 10,
  memoryMb: 512,
});
const stores = { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1', BUCKET_NAME: 'marquee-local', HISTORY_TABLE_NAME: 'marquee-history' };
const reference = { 'Fn::GetStackOutput': { StackName: 'Marquee-dev-Storage', OutputName: 'Bucket' } };

describe('functionEnvironment', () => {
  it('keeps the template’s strings, binds references to the local resource of the same variable, and adds the stores’ endpoints', () => {
    const env = functionEnvironment(fn({ HISTORY_LENGTH: '200', BUCKET_NAME: reference, HISTORY_TABLE_NAME: { Ref: 'Table' } }), stores);
    expect(env).toEqual({ ...stores, HISTORY_LENGTH: '200', ...LOCAL_RUNTIME_VARIABLES });
  });

  it('lets overrides win over the template and bind a reference the stores lack', () => {
    const env = functionEnvironment(fn({ HISTORY_LENGTH: '200', OTHER_TABLE: { Ref: 'Other' } }), stores, {
      HISTORY_LENGTH: '5',
      OTHER_TABLE: 'other',
    });
    expect(env).toMatchObject({ HISTORY_LENGTH: '5', OTHER_TABLE: 'other' });
  });

  it('names an unbound reference', () => {
    expect(() => functionEnvironment(fn({ OTHER_TABLE: { Ref: 'Other' } }), stores)).toThrow(LocalEnvironmentError);
    expect(() => functionEnvironment(fn({ OTHER_TABLE: { Ref: 'Other' } }), stores)).toThrow(/OTHER_TABLE/);
  });
});

describe('sharedEnvironment', () => {
  it('is the union of the environments, naming the variables whose values differ', () => {
    expect(sharedEnvironment([{ A: '1', B: '2' }, { A: '1', C: '3' }, { B: 'other' }])).toEqual({
      env: { A: '1', B: '2', C: '3' },
      conflicts: ['B'],
    });
  });
});
