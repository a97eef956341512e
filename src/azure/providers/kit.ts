// Shared shape of the CLI's resource providers: read (404 = absent), compare only what we set, write with
// the target's poll interval, translate ARM errors where the call is made.
import type { Observed, Provider, DesiredResource } from '../../engine/types.ts';
import { diffFields, type DiffOptions } from '../../engine/diff.ts';
import { armError, isNotFound } from '../arm-errors.ts';
import type { AzureClients } from '../clients.ts';
import { regionKey } from '../../model/regions.ts';

export type Ident = Record<string, string>;
export type Res = DesiredResource<any> & { ident: Ident };

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'cancelled']);

export function provisioningState(body: any): string | undefined {
  return body?.provisioningState ?? body?.properties?.provisioningState;
}

export function isProvisioning(body: any): boolean {
  const s = provisioningState(body);
  return typeof s === 'string' && !TERMINAL.has(s.toLowerCase());
}

/**
 * Calls an SDK operation keeping the last error response's body: the modular SDKs drop bodies that are
 * not ARM's {error:{...}} envelope (App Service answers {Code, Message}), which would leave only
 * "Unexpected status code". The body rides along as RestError.details for armError.
 */
export async function keepErrorBody<T>(call: (options: { onResponse: (r: any) => void }) => Promise<T>): Promise<T> {
  let last: any;
  try {
    return await call({ onResponse: (r) => (last = r) });
  } catch (e) {
    const err = e as any;
    const known = err?.details?.error?.code || err?.details?.Code || err?.details?.code;
    if (err && typeof err === 'object' && !known && last && last.status >= 400) {
      try {
        err.details = last.parsedBody ?? JSON.parse(last.bodyAsText ?? '');
      } catch {
        /* not JSON */
      }
    }
    throw e;
  }
}

export interface SdkProviderDef<T> {
  get(c: AzureClients, id: Ident): Promise<T>;
  put(c: AzureClients, id: Ident, desired: any, observed: Observed | undefined): Promise<T>;
  outputs(observed: Observed, desired: any, c: AzureClients): Record<string, unknown>;
  /** Fields of the desired body not sent as-is or not comparable (secrets handled by the provider). */
  compare?(desired: any): any;
  diffOptions?: DiffOptions;
  /** Extra observation beyond GET (e.g. listValue for a secret), merged into the observed body. */
  extra?(c: AzureClients, id: Ident, body: any): Promise<Record<string, unknown>>;
}

export function sdkProvider<T>(c: AzureClients, def: SdkProviderDef<T>): Provider<any> {
  const read = async (r: Res): Promise<Observed | undefined> => {
    try {
      const body = (await def.get(c, r.ident)) as any;
      const extra = def.extra ? await def.extra(c, r.ident, body) : {};
      return { body: { ...body, ...extra }, provisioning: isProvisioning(body) };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw armError(`reading ${r.label}`, e);
    }
  };
  return {
    read,
    diff: (desired, observed) => {
      const d = def.compare ? def.compare(desired) : desired;
      // ARM answers locations in either form ("westeurope", "West Europe").
      const loc = (v: unknown) => (typeof v === 'string' ? regionKey(v) : v);
      const o = 'location' in (d ?? {}) ? { ...observed.body, location: loc(observed.body.location) } : observed.body;
      return diffFields('location' in (d ?? {}) ? { ...d, location: loc(d.location) } : d, o, def.diffOptions);
    },
    async write(r: Res, desired, observed) {
      try {
        const body = (await def.put(c, r.ident, desired, observed)) as any;
        const extra = def.extra ? await def.extra(c, r.ident, body) : {};
        return { body: { ...body, ...extra } };
      } catch (e) {
        throw armError(`${observed ? 'updating' : 'creating'} ${r.label}`, e);
      }
    },
    async wait(r: Res) {
      for (;;) {
        const o = await read(r);
        if (!o?.provisioning) return o;
        await new Promise((res) => setTimeout(res, c.target.kind === 'local' ? 50 : 5000));
      }
    },
    outputs: (o, d) => def.outputs(o, d, c),
  };
}
