// `apim-fn status`: declare options and help; the work is in src/up/run-status.ts.
import { Command } from 'commander';

export function statusCommand(): Command {
  return new Command('status')
    .description('read-only: every resource with its state and drift from the desired settings, and the endpoints')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ apim-fn status\n  $ apim-fn status --json | jq .endpoints')
    .action(async (o) => (await import('../up/run-status.ts')).runStatus(o));
}
