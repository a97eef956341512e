// `apim-fn init [dir]`: scaffold a new project from the template the CLI ships.
import { Command } from 'commander';

export function initCommand(): Command {
  return new Command('init')
    .description('create a new project: api-spec.yml, a TypeScript Azure Functions app in function/, and a .gitignore')
    .argument('[dir]', 'where to create it (created if missing; existing files are never overwritten)', '.')
    .option('--json', 'print the created files as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ apim-fn init my-api && cd my-api
  $ apim-fn up --local --name demo`,
    )
    .action(async (dir: string, o: { json?: boolean }) => {
      const { scaffold, describeInit } = await import('../deploy/init.ts');
      const { createOutput } = await import('../ui/output.ts');
      const out = createOutput(o);
      const result = scaffold(dir);
      out.data(result, describeInit(result));
    });
}
