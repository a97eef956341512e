// Fault injection: rules match method + path and make the request fail (429/500/503), drop the connection,
// add latency, or make the LRO it starts end Failed; for the next N matches or a fraction of them.
import { randomUUID } from 'node:crypto';

export type FaultAction =
  | { type: 'status'; status: 429 | 500 | 503 | number; retryAfter?: number; code?: string; message?: string }
  | { type: 'drop' }
  | { type: 'latency'; ms: number }
  | { type: 'lro-failed'; code?: string; message?: string };

export interface FaultRuleInput {
  method?: string;
  /** Glob over the request path, case-insensitive: `*` matches within a segment, `**` across segments. A leading `~` makes it a regex. */
  path: string;
  action: FaultAction;
  /** Fire for the next N matching requests (default: unlimited when fraction is set, else 1). */
  count?: number;
  /** Fire for this fraction of matching requests (0..1, default 1). */
  fraction?: number;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  hits: number;
}

export function globToRegExp(glob: string): RegExp {
  if (glob.startsWith('~')) return new RegExp(glob.slice(1), 'i');
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

export function validateFaultRule(input: FaultRuleInput): string | undefined {
  if (!input || typeof input.path !== 'string' || !input.path) return 'a fault rule needs a path pattern';
  try {
    globToRegExp(input.path);
  } catch (e) {
    return `invalid path pattern: ${(e as Error).message}`;
  }
  const a = input.action;
  if (!a || !['status', 'drop', 'latency', 'lro-failed'].includes(a.type)) return 'action.type must be status, drop, latency or lro-failed';
  if (a.type === 'status' && !(Number.isInteger(a.status) && a.status >= 400 && a.status <= 599)) return 'action.status must be 400..599';
  if (a.type === 'latency' && !(a.ms >= 0)) return 'action.ms must be >= 0';
  if (input.count !== undefined && !(Number.isInteger(input.count) && input.count > 0)) return 'count must be a positive integer';
  if (input.fraction !== undefined && !(input.fraction > 0 && input.fraction <= 1)) return 'fraction must be in (0, 1]';
  return undefined;
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private readonly random: () => number;
  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  add(input: FaultRuleInput): FaultRule {
    const problem = validateFaultRule(input);
    if (problem) throw new Error(problem);
    const count = input.count ?? (input.fraction !== undefined ? undefined : 1);
    const rule: FaultRule = { ...input, count, id: randomUUID(), hits: 0 };
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  /** The actions that fire for this request, in rule order; spent rules are removed. */
  match(method: string, path: string): FaultAction[] {
    const fired: FaultAction[] = [];
    for (const rule of this.rules) {
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!globToRegExp(rule.path).test(path)) continue;
      if (rule.fraction !== undefined && this.random() >= rule.fraction) continue;
      rule.hits++;
      if (rule.count !== undefined) rule.count--;
      fired.push(rule.action);
    }
    this.rules = this.rules.filter((r) => r.count === undefined || r.count > 0);
    return fired;
  }
}
