// `apim-fn keys`: subscriptions with their keys (asked for, so shown), and key rotation.
import { createOutput } from '../ui/output.ts';
import { openProject, listSubscriptionKeys } from './project.ts';
import { armError } from '../azure/arm-errors.ts';
import { UserError, usageError } from '../errors.ts';

export async function runKeys(o: { name?: string; json?: boolean; all?: boolean; regenerate?: string; subscription?: string }): Promise<void> {
  const out = createOutput(o);
  if (o.regenerate && !['primary', 'secondary'].includes(o.regenerate)) throw usageError(`--regenerate takes primary or secondary, got '${o.regenerate}'`);
  if (o.regenerate && !o.subscription) throw usageError('--regenerate needs --subscription <name> (e.g. client)');
  if (o.subscription && !o.regenerate) throw usageError('--subscription is only used with --regenerate primary|secondary');
  const p = await openProject(o, out.info);
  if (o.regenerate) {
    const apim = await p.clients.apim();
    const { resourceGroup, apim: svc } = p.settings;
    try {
      await apim.subscription.get(resourceGroup, svc, o.subscription!);
    } catch (e) {
      throw (e as any)?.statusCode === 404 ? new UserError(`no subscription '${o.subscription}' in ${svc}; see 'apim-fn keys'`) : armError(`reading subscription ${o.subscription}`, e);
    }
    try {
      if (o.regenerate === 'primary') await apim.subscription.regeneratePrimaryKey(resourceGroup, svc, o.subscription!);
      else await apim.subscription.regenerateSecondaryKey(resourceGroup, svc, o.subscription!);
    } catch (e) {
      throw armError(`regenerating the ${o.regenerate} key of ${o.subscription}`, e);
    }
    out.info(`Regenerated the ${o.regenerate} key of subscription ${o.subscription}; the old key no longer works.`);
  }
  const subs = (await listSubscriptionKeys(p, { includeMaster: o.all })).filter((s) => !o.subscription || s.name === o.subscription);
  const rows = [['NAME', 'SCOPE', 'STATE', 'PRIMARY KEY', 'SECONDARY KEY'], ...subs.map((s) => [s.name, s.scope, s.state, s.primaryKey ?? '', s.secondaryKey ?? ''])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  out.data(
    { service: p.settings.apim, subscriptions: subs },
    subs.length ? rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') : 'no subscriptions',
  );
}
