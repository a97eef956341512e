// Operations of an API (ApiOperation_* in apimapis.json 2024-05-01): list and get what an import derived, and the
// direct PUT/PATCH/DELETE APIM also allows. A URL template's {parameters} must match templateParameters exactly, and
// method + URL template is unique within the API, as APIM enforces.
import type { LocalAzureContext } from '../../../context.ts';
import type { StoredResource } from '../../../state/store.ts';
import { keyOf } from '../../../state/store.ts';
import { SERVICE_TEMPLATE, T, childrenOf, defineEntity, fieldError } from './common.ts';

const METHODS = /^[A-Za-z]+$/;

export function registerOperations(env: LocalAzureContext): void {
  const apiTemplate = `${SERVICE_TEMPLATE}/apis/{apiId}`;
  defineEntity(env, {
    type: T.operation,
    template: `${apiTemplate}/operations/{operationId}`,
    entity: 'Operation',
    parent: { template: apiTemplate, entity: 'Api' },
    specOperation: 'ApiOperation_CreateOrUpdate',
    nameRule: (n) => (n.length > 80 ? 'Operation identifier must not exceed 80 characters.' : undefined),
    build: (_ctx, _existing, body, id) => ({ body: { properties: operationBody(env, id, body?.properties ?? {}) } }),
    patch: (_ctx, existing, body) => ({ body: { properties: operationBody(env, existing.id, { ...existing.body.properties, ...(body?.properties ?? {}) }) } }),
  });
}

function operationBody(env: LocalAzureContext, id: string, p: any): Record<string, unknown> {
  if (typeof p.displayName !== 'string' || !p.displayName) throw fieldError('displayName', 'Display name is required.');
  if (typeof p.method !== 'string' || !METHODS.test(p.method)) throw fieldError('method', 'Method is required and must be an HTTP method name.');
  if (typeof p.urlTemplate !== 'string' || !p.urlTemplate.startsWith('/')) throw fieldError('urlTemplate', 'URL template is required and must start with /.');
  const used = [...p.urlTemplate.matchAll(/\{\*?([^}]+)\}/g)].map((m) => m[1].toLowerCase()).sort();
  const declared = (Array.isArray(p.templateParameters) ? p.templateParameters : []).map((t: any) => String(t?.name ?? '').toLowerCase()).sort();
  if (used.join('\n') !== declared.join('\n')) {
    throw fieldError('templateParameters', 'All template parameters used in the UriTemplate must be defined in the Operation, and vice-versa.');
  }
  const apiId = id.replace(/\/operations\/[^/]+$/, '');
  const method = p.method.toUpperCase();
  const clash = childrenOf(env, apiId, T.operation).find(
    (o: StoredResource) => keyOf(o.id) !== keyOf(id) && o.body.properties.method === method && String(o.body.properties.urlTemplate).toLowerCase() === p.urlTemplate.toLowerCase(),
  );
  if (clash) throw fieldError('urlTemplate', `Operation with the same method and URL template already exists: ${method}, ${p.urlTemplate}`);
  return {
    displayName: p.displayName,
    method,
    urlTemplate: p.urlTemplate,
    templateParameters: p.templateParameters ?? [],
    description: p.description,
    request: p.request,
    responses: p.responses ?? [],
    policies: p.policies ?? null,
  };
}
