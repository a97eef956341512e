// HTTP trigger routes as the Functions host matches them (ASP.NET Core route templates): the route prefix
// from host.json (extensions.http.routePrefix, default "api"), case-insensitive literals, {param},
// optional {param?}, defaults {param=x}, constraints {id:int}, catch-all {*rest}, and the trigger's methods.
// A route that matches the path but not the method is no match: the host answers 404 either way.

export interface HttpRoute {
  functionName: string;
  functionId: string;
  triggerName: string;
  authLevel: 'anonymous' | 'function' | 'admin';
  /** Upper-case methods; empty = every method. */
  methods: string[];
  template: string;
  regex: RegExp;
  params: Array<{ name: string; default?: string }>;
  /** Literal characters: routes with more literals are tried first. */
  weight: number;
}

const CONSTRAINTS: Record<string, string> = {
  int: '-?\\d+',
  long: '-?\\d+',
  bool: '(?:true|false)',
  alpha: '[A-Za-z]+',
  guid: '[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}',
  double: '-?\\d+(?:\\.\\d+)?',
  decimal: '-?\\d+(?:\\.\\d+)?',
  float: '-?\\d+(?:\\.\\d+)?',
  datetime: '[^/]+',
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiles "<prefix>/<template>" into a regex over the request path (without the leading '/'). */
export function compileRoute(prefix: string, template: string): { regex: RegExp; params: HttpRoute['params']; weight: number } {
  const full = [prefix.replace(/^\/+|\/+$/g, ''), template.replace(/^\/+|\/+$/g, '')].filter(Boolean).join('/');
  const params: HttpRoute['params'] = [];
  let weight = 0;
  let re = '';
  const segments = full ? full.split('/') : [];
  segments.forEach((segment, i) => {
    let seg = '';
    let optionalSegment = false;
    const token = /\{([^}]+)\}/g;
    let last = 0;
    for (let m = token.exec(segment); m; m = token.exec(segment)) {
      seg += escape(segment.slice(last, m.index));
      weight += m.index - last;
      last = m.index + m[0].length;
      let spec = m[1];
      const catchAll = spec.startsWith('*');
      if (catchAll) spec = spec.replace(/^\*+/, '');
      let optional = spec.endsWith('?');
      if (optional) spec = spec.slice(0, -1);
      let def: string | undefined;
      const eq = spec.indexOf('=');
      if (eq >= 0) {
        def = spec.slice(eq + 1);
        spec = spec.slice(0, eq);
        optional = true;
      }
      const [name, ...constraints] = spec.split(':');
      const known = constraints.map((c) => CONSTRAINTS[c.replace(/\(.*$/, '').toLowerCase()]).find(Boolean);
      const group = `(?<p${params.length}>${catchAll ? '.*' : (known ?? '[^/]+')})`;
      params.push({ name, default: def });
      if (optional && segment === m[0]) optionalSegment = true;
      seg += optional && segment !== m[0] ? `${group}?` : group;
    }
    seg += escape(segment.slice(last));
    weight += segment.length - last;
    const sep = i === 0 ? '' : '/';
    re += optionalSegment ? `(?:${sep}${seg})?` : `${sep}${seg}`;
  });
  return { regex: new RegExp(`^${re}/?$`, 'i'), params, weight };
}

export function matchRoute(routes: HttpRoute[], method: string, path: string): { route: HttpRoute; params: Record<string, string> } | undefined {
  const p = path.replace(/^\/+/, '');
  for (const route of routes) {
    if (route.methods.length && !route.methods.includes(method)) continue;
    const m = route.regex.exec(p);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.params.forEach((param, i) => {
      const v = m.groups?.[`p${i}`];
      if (v !== undefined && v !== '') params[param.name] = safeDecode(v);
      else if (param.default !== undefined) params[param.name] = param.default;
    });
    return { route, params };
  }
  return undefined;
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** Orders routes as the host's route table does: more literal text first, catch-alls last. */
export function sortRoutes(routes: HttpRoute[]): HttpRoute[] {
  return [...routes].sort((a, b) => b.weight - a.weight || a.params.length - b.params.length);
}
