/** The parts of a synthesized CloudFormation template the local service reads. */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

/** Every stack of the app, by stack name. */
export interface ServiceTemplates {
  readonly stacks: Readonly<Record<string, CfnTemplate>>;
}

/** The resources of `type` across every stack, with their stack and logical id. */
export function resourcesOfType(templates: ServiceTemplates, type: string): { stack: string; logicalId: string; resource: CfnResource }[] {
  const found: { stack: string; logicalId: string; resource: CfnResource }[] = [];
  for (const [stack, template] of Object.entries(templates.stacks)) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type === type) found.push({ stack, logicalId, resource });
    }
  }
  return found;
}

/** The logical ids a CloudFormation value refers to (`Ref`, `Fn::GetAtt`), anywhere inside it. */
export function referencedIds(value: unknown): string[] {
  const ids: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, inner] of Object.entries(node)) {
      if (key === 'Ref' && typeof inner === 'string') ids.push(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') ids.push(inner[0]);
      else walk(inner);
    }
  };
  walk(value);
  return ids;
}
