// `apim-fn deploy`: declare options and help; the work is in src/deploy/run-deploy.ts.
import { Command } from 'commander';

export function deployCommand(): Command {
  return new Command('deploy')
    .description("build the function project and deploy its code to the stack's Function App (skipped when the package is unchanged)")
    .option('--dir <dir>', 'the function project (default: ./function, else the current directory)')
    .option('--force', 'upload even when the deployed package has the same sha256')
    .option('--verbose', 'show npm output and every SCM request (secrets masked)')
    .option('--json', 'print one JSON document (no secrets)')
    .addHelpText(
      'after',
      `
The stack comes from .apim-fn.json, which 'apim-fn up' writes.
Flex Consumption apps get the package through One Deploy (the SCM site's /api/publish); Linux Consumption
apps run it from blob storage (WEBSITE_RUN_FROM_PACKAGE). The package's sha256 is kept in the app setting
APIM_FN_PACKAGE_SHA256, so a deploy with no change uploads nothing.

Examples:
  $ apim-fn deploy                          the project in ./function, to the stack of this directory
  $ apim-fn deploy --dir templates/function --json`,
    )
    .action(async (o) => {
      const { runDeploy } = await import('../deploy/run-deploy.ts');
      await runDeploy(o);
    });
}
