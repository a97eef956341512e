// API Management: the service, the secret named value, the backend, APIs (OpenAPI import), policies,
// the product and its subscriptions.
import type { AzureClients } from '../clients.ts';
import type { Provider } from '../../engine/types.ts';
import { diffFields } from '../../engine/diff.ts';
import { armError, isNotFound } from '../arm-errors.ts';
import { UserError } from '../../errors.ts';
import { regionKey } from '../../model/regions.ts';
import { sdkProvider, type Res } from './kit.ts';

/** Non-secret named value that remembers which spec an API was imported from (APIs have no tags of their own). */
export const specHashName = (apiId: string) => `apim-fn-spec-${apiId}`.slice(0, 80);

const normalizeXml = (x: unknown) => String(x ?? '').replace(/>\s+</g, '><').replace(/\s+/g, ' ').replace(/\s*\/>/g, '/>').trim();

export function apimProviders(c: AzureClients) {
  const api = () => c.apim();
  const service = sdkProvider(c, {
    get: async (c, id) => (await api()).apiManagementService.get(id.resourceGroup, id.name),
    put: async (c, id, d) => (await api()).apiManagementService.beginCreateOrUpdateAndWait(id.resourceGroup, id.name, d, c.poll),
    compare: ({ restore: _r, ...d }) => d,
    outputs: (o) => ({ id: o.body.id, gatewayUrl: o.body.gatewayUrl }),
  });
  // Known traps, found while observing so nothing has been written yet: the name held by a soft-deleted
  // service (for 48 h after a delete), or taken by a service elsewhere.
  const readService = service.read;
  service.read = async (r: Res, outputs) => {
    const found = await readService(r, outputs);
    if (found) return found;
    const d = r.build({}) as any;
    const client = await api();
    const deleted = await client.deletedServices.getByName(r.ident.name, d.location).then(
      () => true,
      (e) => (isNotFound(e) ? false : Promise.reject(armError(`reading deleted API Management services`, e))),
    );
    if (deleted && !d.restore) {
      throw new UserError(
        `API Management name '${r.ident.name}' is held by a soft-deleted service: run 'apim-fn up --restore' to bring it back, or 'apim-fn down --purge' (or purge it in the portal) to free the name`,
      );
    }
    if (!deleted && d.sku?.name === 'Consumption') {
      const regions: string[] = [];
      for await (const sku of client.apiManagementSkus.list()) if (sku.name === 'Consumption') regions.push(...(sku.locations ?? []));
      if (regions.length && !regions.some((l) => regionKey(l) === regionKey(d.location))) {
        throw new UserError(`API Management Consumption is not available in ${d.location}: pass --location with one of ${[...new Set(regions.map(regionKey))].slice(0, 8).join(', ')}, ...`);
      }
    }
    if (!deleted) {
      const check = await client.apiManagementService.checkNameAvailability({ name: r.ident.name }).catch(() => undefined);
      if (check && check.nameAvailable === false) {
        throw new UserError(`API Management name '${r.ident.name}' is taken elsewhere in Azure (${check.message ?? check.reason}): pass --apim-name <another-name>`);
      }
    }
    return undefined;
  };

  const namedValue = sdkProvider(c, {
    get: async (c, id) => (await api()).namedValue.get(id.resourceGroup, id.service, id.name),
    // A secret's value is never returned by GET: listValue (a read) tells whether it still matches.
    extra: async (c, id, body) => (body?.secret ? { value: (await (await api()).namedValue.listValue(id.resourceGroup, id.service, id.name)).value } : {}),
    put: async (c, id, d) => (await api()).namedValue.beginCreateOrUpdateAndWait(id.resourceGroup, id.service, id.name, d, c.poll),
    outputs: () => ({}),
  });

  const backend = sdkProvider(c, {
    get: async (c, id) => (await api()).backend.get(id.resourceGroup, id.service, id.name),
    put: async (c, id, d) => (await api()).backend.createOrUpdate(id.resourceGroup, id.service, id.name, d),
    outputs: (o) => ({ id: o.body.id }),
  });

  const apiProvider: Provider<any> = {
    async read(r: Res) {
      const { resourceGroup, service: svc, name } = r.ident;
      try {
        const client = await api();
        const [body, hash] = await Promise.all([
          client.api.get(resourceGroup, svc, name),
          client.namedValue.get(resourceGroup, svc, specHashName(name)).then((v) => v.value, (e) => (isNotFound(e) ? undefined : Promise.reject(e))),
        ]);
        return { body: { ...(body as any), specSha256: hash } };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw armError(`reading ${r.label}`, e);
      }
    },
    diff: (d, o) => {
      // The document itself is compared by hash; the import-only switch is not returned by GET.
      const { value: _v, format: _f, translateRequiredQueryParametersConduct: _t, ...compared } = d;
      return diffFields(compared, o.body);
    },
    async write(r: Res, d) {
      const { resourceGroup, service: svc, name } = r.ident;
      const { specSha256, ...params } = d;
      try {
        const client = await api();
        const body = await client.api.beginCreateOrUpdateAndWait(resourceGroup, svc, name, params, c.poll);
        await client.namedValue.beginCreateOrUpdateAndWait(resourceGroup, svc, specHashName(name), { displayName: specHashName(name), value: specSha256, secret: false, tags: ['apim-fn'] }, c.poll);
        return { body: { ...(body as any), specSha256 } };
      } catch (e) {
        throw armError(`importing ${r.label}`, e);
      }
    },
    outputs: (o) => ({ id: o.body.id }),
  };

  // apiPolicy.get drops the document (azure-sdk-for-js#31566): read it from the raw response instead.
  const apiPolicy = sdkProvider(c, {
    get: async (c, id) => {
      let raw: any;
      const body = await (await api()).apiPolicy.get(id.resourceGroup, id.service, id.api, 'policy', { format: 'rawxml', onResponse: (r: any) => (raw = r) });
      const parsed = raw?.bodyAsText ? JSON.parse(raw.bodyAsText) : undefined;
      return { ...body, value: parsed?.properties?.value ?? (body as any).value };
    },
    put: async (c, id, d): Promise<any> => (await api()).apiPolicy.createOrUpdate(id.resourceGroup, id.service, id.api, 'policy', d),
    compare: (d) => ({ value: normalizeXml(d.value) }),
    outputs: () => ({}),
  });
  const policyDiff = apiPolicy.diff;
  apiPolicy.diff = (d, o) => policyDiff(d, { ...o, body: { ...o.body, value: normalizeXml(o.body.value) } });

  const product = sdkProvider(c, {
    get: async (c, id) => (await api()).product.get(id.resourceGroup, id.service, id.name),
    put: async (c, id, d) => (await api()).product.createOrUpdate(id.resourceGroup, id.service, id.name, d),
    outputs: (o) => ({ id: o.body.id }),
  });

  const productApi: Provider<any> = {
    async read(r: Res) {
      const { resourceGroup, service: svc, product: pid, api: apiId } = r.ident;
      try {
        const found = await (await api()).productApi.checkEntityExists(resourceGroup, svc, pid, apiId);
        return (found as any)?.body === false ? undefined : { body: {} };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw armError(`reading ${r.label}`, e);
      }
    },
    diff: () => [],
    async write(r: Res) {
      const { resourceGroup, service: svc, product: pid, api: apiId } = r.ident;
      try {
        return { body: (await (await api()).productApi.createOrUpdate(resourceGroup, svc, pid, apiId)) as any };
      } catch (e) {
        throw armError(`adding ${r.label}`, e);
      }
    },
    outputs: () => ({}),
  };

  const subscription = sdkProvider(c, {
    get: async (c, id) => (await api()).subscription.get(id.resourceGroup, id.service, id.name),
    put: async (c, id, d) => (await api()).subscription.createOrUpdate(id.resourceGroup, id.service, id.name, d),
    // APIM may answer with the scope in a different form (relative vs full id); compare ends only.
    compare: (d) => ({ displayName: d.displayName, state: d.state }),
    outputs: (o) => ({ id: o.body.id }),
  });

  return { apim: service, namedValue, backend, api: apiProvider, apiPolicy, product, productApi, subscription };
}
