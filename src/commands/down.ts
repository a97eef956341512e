// `apim-fn down`: declare options and help; the work is in src/up/run-down.ts.
import { Command } from 'commander';

export function downCommand(): Command {
  return new Command('down')
    .description("delete the project's resource group (and with --purge free the APIM name at once)")
    .option('-y, --yes', 'do not ask for confirmation (required when not on a TTY)')
    .option('--purge', 'purge the soft-deleted API Management service so its name can be reused now')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ apim-fn down\n  $ apim-fn down --yes --purge')
    .action(async (o) => (await import('../up/run-down.ts')).runDown(o));
}
