// The one place ARM errors become user language: the resource, ARM's code and message, and what to do.
import { UserError } from '../errors.ts';

export interface ArmFailure {
  statusCode?: number;
  code?: string;
  message: string;
}

export function armFailure(e: unknown): ArmFailure | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const err = e as { name?: string; statusCode?: number; code?: string; message?: string; details?: any };
  if (err.name !== 'RestError' && err.statusCode === undefined) return undefined;
  // ARM's envelope is {error:{code,message}}; App Service answers {Code, Message} at the top level.
  let raw: any = err.details;
  if (!raw?.error && !raw?.Code && !raw?.code) {
    try {
      raw = JSON.parse((e as any).response?.bodyAsText ?? '');
    } catch {
      /* no JSON body */
    }
  }
  const body = raw?.error ?? raw;
  const code = body?.code ?? body?.Code ?? err.code;
  const message = body?.message ?? body?.Message ?? err.message ?? 'request failed';
  return { statusCode: err.statusCode, code, message: firstLine(String(message)) };
}

const firstLine = (s: string) => s.split('\n')[0].trim();

const HINTS: Record<string, (what: string) => string> = {
  StorageAccountAlreadyTaken: () => 'the storage account name is taken elsewhere in Azure: pass --storage-account <another-name>',
  ServiceAlreadyExistsInSoftDeletedState: () => "the APIM name is held by a soft-deleted service: run 'apim-fn down --purge' to free it, or 'apim-fn up --restore' to bring it back",
  MissingSubscriptionRegistration: () => 'register the resource provider for the subscription (Azure portal > Subscriptions > Resource providers), then run up again',
  AuthorizationFailed: () => 'the signed-in identity lacks permission on the subscription or resource group (Contributor and User Access Administrator are needed)',
  LocationNotAvailableForResourceType: () => 'pick another region with --location',
  NoRegisteredProviderFound: () => 'this region or api-version is not available for the resource type: pick another region with --location',
  SubscriptionNotFound: () => 'check --subscription / AZURE_SUBSCRIPTION_ID',
  InvalidAuthenticationToken: () => 'sign in again (az login / azd auth login)',
  ExpiredAuthenticationToken: () => 'sign in again (az login / azd auth login)',
};

/** Wraps an ARM failure on `what` (e.g. "storage account stdemo1a2b3c") into a one-line UserError. */
export function armError(what: string, e: unknown): Error {
  // core-lro reports an operation that ended Failed as a plain Error: "The long-running operation has failed. <code>. <message>".
  const lro = e instanceof Error ? /^The long-running operation has failed(?:\. ([^.]+)\. ([\s\S]*))?$/.exec(e.message) : null;
  if (lro) {
    const [, code, message] = lro;
    return new UserError(`${what}: the operation ended Failed${code ? `: ${code}: ${firstLine(message)}` : ''}; run the command again to retry (what succeeded is kept)`);
  }
  const f = armFailure(e);
  if (!f) return e instanceof Error ? e : new Error(String(e));
  const hint = f.code && HINTS[f.code] ? `; ${HINTS[f.code](what)}` : '';
  return Object.assign(new UserError(`${what}: ${f.code ?? `HTTP ${f.statusCode}`}: ${f.message}${hint}`), { statusCode: f.statusCode, armCode: f.code });
}

/** ARM's 404, which reads return as "absent". */
export const isNotFound = (e: unknown): boolean => (armFailure(e)?.statusCode ?? (e as any)?.statusCode) === 404;
