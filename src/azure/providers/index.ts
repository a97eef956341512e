// Every provider `up` uses, by resource kind.
import type { AzureClients } from '../clients.ts';
import type { Providers } from '../../engine/plan.ts';
import { coreProviders } from './core.ts';
import { webProviders } from './web.ts';
import { apimProviders } from './apim.ts';

export function stackProviders(c: AzureClients): Providers {
  return { ...coreProviders(c), ...webProviders(c), ...apimProviders(c) };
}
