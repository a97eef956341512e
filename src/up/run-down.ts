// `apim-fn down`: delete the resource group (confirmation; --yes off a TTY), wait for it, and with --purge
// purge the soft-deleted APIM service so its name is free at once. Removes the project settings file.
import { createInterface } from 'node:readline/promises';
import { createOutput } from '../ui/output.ts';
import { readSettings, removeSettings } from '../project/settings.ts';
import { armError, isNotFound } from '../azure/arm-errors.ts';
import { createClients } from '../azure/clients.ts';
import { resolveTarget } from './target.ts';
import { UserError, usageError } from '../errors.ts';

export async function runDown(o: { yes?: boolean; purge?: boolean; json?: boolean }): Promise<void> {
  const out = createOutput(o);
  const settings = readSettings();
  if (!settings) throw new UserError("no project here (.apim-fn.json not found): nothing to take down");
  if (!o.yes) {
    if (!process.stdin.isTTY) throw usageError('down deletes every resource of the project: pass --yes to confirm when not on a terminal');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`Delete resource group ${settings.resourceGroup} and everything in it${o.purge ? ', and purge API Management ' + settings.names.apim : ''}? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) return out.info('nothing changed');
  }
  const target = await resolveTarget({ local: settings.target === 'local', subscription: settings.subscriptionId, localData: settings.localData }, out.info);
  const clients = createClients(target);
  const deleted = await out.step(`Deleting resource group ${settings.resourceGroup}`, async () => {
    try {
      await (await clients.resources()).resourceGroups.delete(settings.resourceGroup, clients.poll);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw armError(`deleting resource group ${settings.resourceGroup}`, e);
    }
  });
  let purged = false;
  if (o.purge) {
    purged = await out.step(`Purging the soft-deleted API Management ${settings.names.apim}`, async () => {
      const apim = await clients.apim();
      try {
        await apim.deletedServices.getByName(settings.names.apim, settings.location);
      } catch (e) {
        if (isNotFound(e)) return false;
        throw armError(`reading deleted API Management ${settings.names.apim}`, e);
      }
      try {
        await apim.deletedServices.beginPurgeAndWait(settings.names.apim, settings.location, clients.poll);
        return true;
      } catch (e) {
        throw armError(`purging API Management ${settings.names.apim}`, e);
      }
    });
  }
  removeSettings();
  out.data(
    { resourceGroup: settings.resourceGroup, deleted, purged },
    `${deleted ? `Deleted ${settings.resourceGroup}` : `${settings.resourceGroup} did not exist`}${o.purge ? (purged ? `; purged ${settings.names.apim}` : `; no soft-deleted ${settings.names.apim} to purge`) : `; API Management ${settings.names.apim} stays soft-deleted for 48 h (use --purge to free the name now)`}.`,
  );
}
