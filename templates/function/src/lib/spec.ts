// The API's OpenAPI spec, as shipped in the package (dist/api-spec.yml, put there by the build's
// copy-spec step), and the public JSON form of it that /openapi.json serves.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { Settings } from './settings';

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; [key: string]: unknown };
  servers?: Array<{ url: string; description?: string }>;
  paths: Record<string, unknown>;
  components?: { securitySchemes?: Record<string, unknown>; [key: string]: unknown };
  security?: unknown[];
  [key: string]: unknown;
}

/** dist/src/lib/spec.js → dist/api-spec.yml. */
export const SPEC_FILE = path.join(__dirname, '..', '..', 'api-spec.yml');

/** The header API Management reads the subscription key from, unless the API renames it. */
export const SUBSCRIPTION_KEY_HEADER = 'Ocp-Apim-Subscription-Key';

let cached: OpenApiDocument | undefined;

/** Parses the shipped spec once per worker process; callers get their own copy to change. */
export function loadSpec(): OpenApiDocument {
  cached ??= parse(readFileSync(SPEC_FILE, 'utf8')) as OpenApiDocument;
  return structuredClone(cached);
}

/**
 * The spec as callers of the gateway see it: `servers` names the protected gateway path when the app
 * settings say where that is, and the document then declares the subscription key so Swagger UI's
 * "Try it out" can send it. Without those settings the spec's own servers are kept unchanged.
 */
export function publicDocument(settings: Settings, warn: (message: string) => void = () => {}): OpenApiDocument {
  const doc = loadSpec();
  const url = publicServerUrl(doc, settings, warn);
  if (url === undefined) return doc;
  doc.servers = [{ url, description: 'API Management gateway' }];
  if (doc.security === undefined) {
    doc.components ??= {};
    doc.components.securitySchemes = {
      ...doc.components.securitySchemes,
      subscriptionKey: { type: 'apiKey', in: 'header', name: SUBSCRIPTION_KEY_HEADER },
    };
    doc.security = [{ subscriptionKey: [] }];
  }
  return doc;
}

/**
 * API_PUBLIC_URL as given, else APIM_GATEWAY_URL plus the API's path taken from the spec's first
 * server (`https://apim-<collection>.azure-api.net/example` → `/example`). A malformed setting is
 * reported and skipped rather than served.
 */
export function publicServerUrl(doc: OpenApiDocument, settings: Settings, warn: (message: string) => void): string | undefined {
  if (settings.apiPublicUrl !== undefined) {
    if (isHttpUrl(settings.apiPublicUrl)) return trimSlashes(settings.apiPublicUrl);
    warn(`API_PUBLIC_URL is not an absolute http(s) URL; ignoring it: ${settings.apiPublicUrl}`);
  }
  if (settings.apimGatewayUrl !== undefined) {
    if (isHttpUrl(settings.apimGatewayUrl)) return trimSlashes(settings.apimGatewayUrl) + apiPath(doc);
    warn(`APIM_GATEWAY_URL is not an absolute http(s) URL; ignoring it: ${settings.apimGatewayUrl}`);
  }
  return undefined;
}

/** The path part of the spec's first server URL, without a trailing slash ('' when there is none). */
export function apiPath(doc: OpenApiDocument): string {
  const url = doc.servers?.[0]?.url ?? '';
  // Not `new URL()`: the spec's host may hold a placeholder such as `apim-<collection>`.
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/?#]*)?(\/[^?#]*)?/i.exec(url);
  return trimSlashes(match?.[1] ?? '');
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function trimSlashes(value: string): string {
  return value.replace(/\/+$/, '');
}
