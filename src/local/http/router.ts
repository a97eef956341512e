// Matches ARM request paths against templates such as
// /subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}; literal segments compare case-insensitively.
import type { IncomingHttpHeaders } from 'node:http';
import type { LocalAzureContext } from '../context.ts';
import type { FaultAction } from '../faults.ts';

export type Method = 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE' | 'HEAD';

export interface RequestContext {
  method: Method;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  rawBody: Buffer;
  apiVersion: string;
  env: LocalAzureContext;
  /** Fault actions that fired for this request and that the handler acts on (lro-failed). */
  faults?: FaultAction[];
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Route {
  method: Method;
  template: string;
  /** api-versions this operation accepts: the ones the pinned SDK packages send. */
  apiVersions: readonly string[];
  /** Resource type for error messages and the request log, e.g. Microsoft.Storage/storageAccounts. */
  resourceType: string;
  /** A POST that only reads (listKeys, listSecrets): logged as a read, throttled as a read. */
  readOnly?: boolean;
  handler: Handler;
}

interface CompiledRoute extends Route {
  segments: Array<{ literal: string } | { param: string }>;
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(route: Route): void {
    const segments = route.template
      .split('/')
      .filter(Boolean)
      .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : { literal: s.toLowerCase() }));
    this.routes.push({ ...route, segments });
  }

  /** Routes whose template matches the path, any method. */
  match(path: string): Array<{ route: Route; params: Record<string, string> }> {
    const parts = path.split('/').filter(Boolean);
    const found: Array<{ route: Route; params: Record<string, string> }> = [];
    for (const route of this.routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = route.segments[i];
        let value: string;
        try {
          value = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
          break;
        }
        if ('literal' in seg) ok = seg.literal === value.toLowerCase();
        else params[seg.param] = value;
      }
      if (ok) found.push({ route, params });
    }
    // The most specific template wins: more literal segments first.
    const literals = (r: Route) => (r as CompiledRoute).segments.filter((s) => 'literal' in s).length;
    return found.sort((a, b) => literals(b.route) - literals(a.route));
  }
}
