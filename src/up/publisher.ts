// APIM needs a publisher email and name: default them from the signed-in identity's token claims.
import type { Target } from '../azure/target.ts';
import { UserError } from '../errors.ts';

export async function publisherFromCredential(target: Target, name?: string): Promise<{ email: string; name: string }> {
  if (target.kind === 'local') return { email: 'local-user@localhost.localdomain', name: name ?? 'Local user' };
  const token = await target.credential.getToken('https://management.azure.com/.default');
  let claims: Record<string, unknown> = {};
  try {
    claims = JSON.parse(Buffer.from(String(token?.token).split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    /* not a JWT */
  }
  const email = [claims.email, claims.upn, claims.unique_name, claims.preferred_username].find((v): v is string => typeof v === 'string' && v.includes('@'));
  if (!email) throw new UserError('cannot tell your email from the signed-in identity: pass --publisher-email <address> (API Management requires one)');
  return { email, name: name ?? (typeof claims.name === 'string' ? claims.name : email.split('@')[0]) };
}
