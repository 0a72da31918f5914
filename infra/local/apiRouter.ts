import type { TemplateRoute } from './serviceDefinition.ts';

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: TemplateRoute; readonly pathParameters: Readonly<Record<string, string>> | null }
  /** The path is a resource of the API, but it has no such method. */
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[]; readonly resource: string }
  | { readonly kind: 'not-found' };

interface Segment {
  readonly literal?: string;
  /** `{name}` (one segment) or `{name+}` (greedy, last only). */
  readonly parameter?: string;
  readonly greedy?: boolean;
}

interface Resource {
  readonly path: string;
  readonly segments: readonly Segment[];
  readonly methods: Map<string, TemplateRoute>;
}

/**
 * Matches request paths to the API's resources as API Gateway (REST) does: a `{name}` segment
 * matches one non-empty segment, `{name+}` the rest of the path; where several resources match,
 * literal segments win over parameters, left to right; `ANY` stands for every method. Path
 * parameters are given decoded.
 */
export class ApiRouter {
  private readonly resources: Resource[] = [];

  constructor(routes: readonly TemplateRoute[]) {
    const byPath = new Map<string, Resource>();
    for (const route of routes) {
      let resource = byPath.get(route.path);
      if (!resource) {
        resource = { path: route.path, segments: parseSegments(route.path), methods: new Map() };
        byPath.set(route.path, resource);
        this.resources.push(resource);
      }
      if (resource.methods.has(route.method)) throw new Error(`two methods ${route.method} ${route.path} in the template`);
      resource.methods.set(route.method, route);
    }
    // Most specific first: compare segment by segment, a literal before a parameter before a greedy one.
    this.resources.sort((a, b) => {
      for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
        const rank = segmentRank(a.segments[i]) - segmentRank(b.segments[i]);
        if (rank !== 0) return rank;
      }
      return b.segments.length - a.segments.length;
    });
  }

  /** The routes, as given. */
  get routes(): TemplateRoute[] {
    return this.resources.flatMap((resource) => [...resource.methods.values()]);
  }

  /** `path` is the request's path without the query string, as sent (percent-encoded). */
  match(method: string, path: string): RouteMatch {
    const parts = splitPath(path);
    for (const resource of this.resources) {
      const parameters = matchSegments(resource.segments, parts);
      if (parameters === undefined) continue;
      const route = resource.methods.get(method) ?? resource.methods.get('ANY');
      if (!route) return { kind: 'method-not-allowed', allow: [...resource.methods.keys()].sort(), resource: resource.path };
      return { kind: 'route', route, pathParameters: Object.keys(parameters).length > 0 ? parameters : null };
    }
    return { kind: 'not-found' };
  }
}

function parseSegments(path: string): Segment[] {
  return splitPath(path).map((part, i, all) => {
    const parameter = /^\{([^{}+]+)(\+?)\}$/.exec(part);
    if (!parameter) return { literal: part };
    const greedy = parameter[2] === '+';
    if (greedy && i !== all.length - 1) throw new Error(`${path}: a greedy parameter must be the last segment`);
    return { parameter: parameter[1], greedy };
  });
}

function segmentRank(segment: Segment): number {
  return segment.literal !== undefined ? 0 : segment.greedy ? 2 : 1;
}

/** `/a/b/` → `['a', 'b']`; the root is `[]`. */
function splitPath(path: string): string[] {
  const parts = path.split('/');
  return parts.filter((part, i) => !(part === '' && (i === 0 || i === parts.length - 1)));
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.greedy) {
      if (i >= parts.length) return undefined;
      parameters[segment.parameter as string] = parts.slice(i).map(decode).join('/');
      return parameters;
    }
    if (i >= parts.length) return undefined;
    if (segment.literal !== undefined) {
      if (decode(parts[i]) !== segment.literal) return undefined;
    } else {
      if (parts[i] === '') return undefined;
      parameters[segment.parameter as string] = decode(parts[i]);
    }
  }
  return parts.length === segments.length ? parameters : undefined;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
