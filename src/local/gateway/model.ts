// What the local APIM gateway needs to know, in Microsoft.ApiManagement 2024-05-01 wire terms (the `properties`
// bags are the contract shapes from definitions.json: ApiContractProperties, OperationContractProperties,
// BackendContractProperties, SubscriptionContractProperties, ProductContractProperties,
// NamedValueContractProperties, PolicyContractProperties). The ARM provider's stored resources map onto this
// almost one to one; the only non-wire additions are the nesting (operations and policies under their api,
// product-api links and policy under their product) because the gateway needs them together.
//
// Everything in src/local/gateway is pure: data in, data out. Clock, ids and rate-limit counters come in
// explicitly so the logic is testable.

export interface ParameterContract {
  name: string;
  type: string;
  description?: string;
  defaultValue?: string;
  required?: boolean;
  values?: string[];
}

export interface ParameterExampleContract {
  summary?: string;
  description?: string;
  value?: unknown;
  externalValue?: string;
}

export interface RepresentationContract {
  contentType: string;
  schemaId?: string;
  typeName?: string;
  examples?: Record<string, ParameterExampleContract>;
}

export interface ResponseContract {
  statusCode: number;
  description?: string;
  representations?: RepresentationContract[];
  headers?: ParameterContract[];
}

export interface RequestContract {
  description?: string;
  queryParameters?: ParameterContract[];
  headers?: ParameterContract[];
  representations?: RepresentationContract[];
}

/** PolicyContractProperties. `rawxml` lets policy expressions carry unescaped quotes and `<`. */
export interface PolicyContract {
  properties: { value: string; format?: 'xml' | 'rawxml' | 'xml-link' | 'rawxml-link' };
}

export interface OperationContract {
  name: string;
  id?: string;
  properties: {
    displayName?: string;
    method: string;
    urlTemplate: string;
    templateParameters?: ParameterContract[];
    description?: string;
    request?: RequestContract;
    responses?: ResponseContract[];
  };
  /** The operation-scope policy (`…/operations/{op}/policies/policy`). */
  policy?: PolicyContract;
}

export interface ApiContract {
  name: string;
  id?: string;
  properties: {
    displayName?: string;
    path: string;
    serviceUrl?: string;
    protocols?: string[];
    subscriptionRequired?: boolean;
    subscriptionKeyParameterNames?: { header?: string; query?: string };
    isCurrent?: boolean;
    isOnline?: boolean;
    apiRevision?: string;
    type?: string;
  };
  operations: OperationContract[];
  /** The api-scope policy (`…/apis/{api}/policies/policy`). */
  policy?: PolicyContract;
}

export interface ProductContract {
  name: string;
  id?: string;
  properties: {
    displayName: string;
    subscriptionRequired?: boolean;
    approvalRequired?: boolean;
    state?: 'published' | 'notPublished';
  };
  /** Names of the APIs linked through `…/products/{pid}/apis/{apiId}` (ProductApi links). */
  apis: string[];
  policy?: PolicyContract;
}

export interface NamedValueContract {
  name: string;
  properties: { displayName: string; value?: string; secret?: boolean; tags?: string[] };
}

export interface BackendContract {
  name: string;
  properties: {
    url: string;
    protocol: 'http' | 'soap';
    title?: string;
    description?: string;
    credentials?: {
      /** `Dictionary<string[]>`: header name → values, which may reference named values (`{{name}}`). */
      header?: Record<string, string[]>;
      query?: Record<string, string[]>;
      authorization?: { scheme: string; parameter: string };
    };
  };
}

export type SubscriptionState = 'active' | 'suspended' | 'submitted' | 'rejected' | 'cancelled' | 'expired';

export interface SubscriptionContract {
  name: string;
  properties: {
    /** Full id, or `/apis`, `/apis/{apiId}`, `/products/{productId}`; the service id itself is all-access. */
    scope: string;
    state: SubscriptionState;
    displayName?: string;
    ownerId?: string;
    primaryKey?: string;
    secondaryKey?: string;
    allowTracing?: boolean;
  };
}

export interface GatewayConfig {
  /** Service name (`context.Deployment.ServiceName`). */
  serviceName: string;
  /** sku.name: Consumption, Developer, … (some policies are tier-bound). */
  sku: string;
  /** Display location (`context.Deployment.Region`). */
  region?: string;
  /** The service-scope (global) policy. Absent → APIM's default global policy, which forwards the request. */
  policy?: PolicyContract;
  apis: ApiContract[];
  products: ProductContract[];
  namedValues: NamedValueContract[];
  backends: BackendContract[];
  subscriptions: SubscriptionContract[];
}

/** HTTP header multimap; keys are lower-case (HTTP header names are case-insensitive). */
export type HeaderMap = Record<string, string[]>;

/** A body the gateway does not look into (`passthrough`: the client's or backend's bytes as they come). */
export type BodyRef = { kind: 'passthrough' } | { kind: 'text'; text: string } | { kind: 'none' };

export interface GatewayRequest {
  method: string;
  /** Path and query exactly as received, e.g. `/echo/resource?x=1`. */
  url: string;
  headers: HeaderMap;
  body: BodyRef;
  clientIp: string;
  protocol: 'http' | 'https';
  /** The gateway host the client called (`context.Request.OriginalUrl.Host`), with port if not default. */
  host: string;
}

export interface GatewayResponse {
  status: number;
  reason?: string;
  headers: HeaderMap;
  body: BodyRef;
}

export const lc = (s: string): string => s.toLowerCase();
export const eqi = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && lc(a) === lc(b);

export function headerValue(h: HeaderMap, name: string): string | undefined {
  const v = h[lc(name)];
  return v && v.length ? v.join(',') : undefined;
}

export function cloneHeaders(h: HeaderMap): HeaderMap {
  const out: HeaderMap = {};
  for (const [k, v] of Object.entries(h)) out[lc(k)] = [...v];
  return out;
}

/** APIM's own error body shape, `{ "statusCode": N, "message": "…" }`, as application/json. */
export function apimError(status: number, message: string, extraHeaders: HeaderMap = {}): GatewayResponse {
  return {
    status,
    headers: { 'content-type': ['application/json; charset=utf-8'], ...extraHeaders },
    body: { kind: 'text', text: JSON.stringify({ statusCode: status, message }) },
  };
}

/** The opaque 500 APIM answers when the gateway itself fails (expression errors, backend unreachable). */
export function internalError(requestId: string): GatewayResponse {
  return {
    status: 500,
    headers: { 'content-type': ['application/json; charset=utf-8'] },
    body: { kind: 'text', text: JSON.stringify({ statusCode: 500, message: 'Internal server error', activityId: requestId }) },
  };
}

export function findNamedValue(config: GatewayConfig, ref: string): NamedValueContract | undefined {
  // Policies reference named values by displayName (api-management-howto-properties.md: "place its display name
  // inside a double pair of braces"); names are case-insensitive like every APIM identifier.
  return config.namedValues.find((n) => n.properties.displayName === ref) ?? config.namedValues.find((n) => eqi(n.properties.displayName, ref));
}
