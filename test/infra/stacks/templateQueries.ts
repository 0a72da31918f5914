import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { FUNCTION_METADATA_KEY, type FunctionMetadata } from '../../../infra/constructs/templateMetadata.ts';
import type { StorageStack } from '../../../infra/stacks/storageStack.ts';

/** Readers of synthesized templates shared by the stack tests. */

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export function resources(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

export function logicalId(stack: Stack, element: CfnElement): string {
  return stack.resolve(stack.getLogicalId(element)) as string;
}

/** Lambda functions by their functions/routes.ts name (from the template metadata). */
export function functionsByName(template: Template): Map<string, { readonly logicalId: string; readonly resource: CfnResource }> {
  const byName = new Map<string, { logicalId: string; resource: CfnResource }>();
  for (const [id, resource] of Object.entries(resources(template, 'AWS::Lambda::Function'))) {
    const metadata = resource.Metadata?.[FUNCTION_METADATA_KEY] as FunctionMetadata | undefined;
    if (metadata) byName.set(metadata.name, { logicalId: id, resource });
  }
  return byName;
}

/** The statements of the policies attached to a function's role. */
export function roleStatements(template: Template, fn: CfnResource): PolicyStatement[] {
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(resources(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * Names a statement resource after the storage resource it references: `bucket`,
 * `bucket/models/*`, `historyTable`, `idempotencyTable`; anything else as `other:<json>`.
 */
export function storageResourceName(storage: StorageStack, resource: unknown): string {
  const ids = {
    bucket: logicalId(storage, storage.bucket.node.defaultChild as CfnElement),
    historyTable: logicalId(storage, storage.historyTable.node.defaultChild as CfnElement),
    idempotencyTable: logicalId(storage, storage.idempotencyTable.node.defaultChild as CfnElement),
  };
  const name = (value: unknown): string | undefined => {
    const json = JSON.stringify(value);
    return Object.entries(ids).find(([, id]) => json.includes(id))?.[0];
  };
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join && join[0] === '' && join[1].length === 2 && typeof join[1][1] === 'string') {
    const base = name(join[1][0]);
    if (base) return `${base}${join[1][1]}`;
  }
  return name(resource) ?? `other:${JSON.stringify(resource)}`;
}

/** A function's storage access: resource name → sorted actions, and the prefixes it may list. */
export function storageAccess(
  template: Template,
  storage: StorageStack,
  fn: CfnResource,
): { readonly actions: Record<string, string[]>; readonly listPrefixes: string[] } {
  const actions: Record<string, Set<string>> = {};
  const listPrefixes: string[] = [];
  for (const statement of roleStatements(template, fn)) {
    for (const resource of asArray(statement.Resource)) {
      const name = storageResourceName(storage, resource);
      if (name.startsWith('other:')) continue;
      for (const action of asArray(statement.Action)) (actions[name] ??= new Set()).add(action);
      if (asArray(statement.Action).includes('s3:ListBucket'))
        listPrefixes.push(...asArray(statement.Condition?.StringLike?.['s3:prefix'] ?? []));
    }
  }
  return {
    actions: Object.fromEntries(Object.entries(actions).map(([name, set]) => [name, [...set].sort()])),
    listPrefixes: listPrefixes.sort(),
  };
}
