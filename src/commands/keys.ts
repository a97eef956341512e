// `apim-fn keys`: declare options and help; the work is in src/gateway-client/run-keys.ts.
import { Command } from 'commander';

export function keysCommand(): Command {
  return new Command('keys')
    .description('show the APIM subscriptions (name, scope, state) with their primary and secondary keys')
    .option('-n, --name <collection>', 'another collection than the project in this directory')
    .option('--all', "include the built-in all-access 'master' subscription")
    .option('--regenerate <which>', 'rotate a key: primary or secondary (with --subscription)')
    .option('--subscription <name>', 'the subscription whose key --regenerate rotates')
    .option('--json', 'print JSON (keys included: you asked for them)')
    .addHelpText('after', '\nExamples:\n  $ apim-fn keys\n  $ apim-fn keys --json | jq -r \'.subscriptions[] | select(.name=="client") | .primaryKey\'\n  $ apim-fn keys --regenerate primary --subscription client')
    .action(async (o) => (await import('../gateway-client/run-keys.ts')).runKeys(o));
}
