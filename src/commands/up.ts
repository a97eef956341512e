// `apim-fn up`: declare options and help; the work is in src/up/run-up.ts.
import { Command, Option } from 'commander';

export function upCommand(): Command {
  return new Command('up')
    .description('create or converge the whole stack: resource group, storage, monitoring, plan, Function App, API Management, API import, keys')
    .option('-n, --name <collection>', 'collection name; every resource name derives from it (remembered in .apim-fn.json)')
    .option('--local', 'run against the local Azure (started in the background if needed)')
    .option('--local-data <dir>', 'data dir of the local Azure')
    .option('--subscription <id>', 'Azure subscription (default: $AZURE_SUBSCRIPTION_ID, or the only one you can see)')
    .option('-l, --location <region>', 'Azure region (default: westeurope, or the one in .apim-fn.json)')
    // No commander defaults here: an omitted flag means "as in .apim-fn.json" (prepareStack applies the defaults).
    .addOption(new Option('--plan <plan>', 'hosting plan (default: flex, or the one in .apim-fn.json)').choices(['flex', 'consumption']))
    .option('--spec <file>', 'OpenAPI 3 spec to import (default: api-spec.yml, or the one in .apim-fn.json)')
    .option('--publisher-email <email>', 'APIM publisher email (default: from the signed-in identity)')
    .option('--publisher-name <name>', 'APIM publisher name')
    .option('--resource-group <name>', 'override the resource group name (default rg-<collection>)')
    .option('--storage-account <name>', 'override the storage account name')
    .option('--function-app <name>', 'override the Function App name (default fa-<collection>-func)')
    .option('--apim-name <name>', 'override the API Management name (default apim-<collection>)')
    .option('--plan-name <name>', 'override the hosting plan name')
    .option('--workspace <name>', 'override the Log Analytics workspace name')
    .option('--app-insights <name>', 'override the Application Insights name')
    .option('--restore', 'bring back a soft-deleted API Management service of the same name')
    .option('--no-deploy', 'converge the infrastructure only; leave the function code as it is')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--json', 'print one JSON document (no secrets)')
    .addHelpText(
      'after',
      `
Examples:
  $ apim-fn up --local --name demo          the whole stack on the local Azure
  $ apim-fn up --name demo --location swedencentral
  $ apim-fn up --dry-run                    what would change, for the project in this directory`,
    )
    .action(async (o) => {
      const { runUp } = await import('../up/run-up.ts');
      await runUp({
        ...o,
        overrides: {
          resourceGroup: o.resourceGroup,
          storageAccount: o.storageAccount,
          functionApp: o.functionApp,
          apim: o.apimName,
          plan: o.planName,
          workspace: o.workspace,
          insights: o.appInsights,
        },
      });
    });
}
