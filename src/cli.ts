// Builds the commander program from the command list and maps failures to exit codes:
// 0 ok, 1 failure, 2 usage error. UserError prints one line; anything else is a bug (stack with --debug).
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { UserError } from './errors.ts';
import { localCommand } from './commands/local.ts';
import { upCommand } from './commands/up.ts';
import { deployCommand } from './commands/deploy.ts';
import { initCommand } from './commands/init.ts';
import { statusCommand } from './commands/status.ts';
import { downCommand } from './commands/down.ts';
import { keysCommand } from './commands/keys.ts';
import { callCommand } from './commands/call.ts';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('apim-fn')
    .description('Stand up a secure, documented, key-protected HTTP API on Azure API Management + Functions, or on the local Azure.')
    .version(version(), '-v, --version')
    .option('--debug', 'show stack traces for unexpected errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addHelpText(
    'after',
    `
Examples:
  $ apim-fn up --local --name demo         the whole stack on the local Azure (offline)
  $ apim-fn keys                           subscription keys
  $ apim-fn call getter --message world    call the API through the gateway
  $ apim-fn up --name demo                 the same on Azure (DefaultAzureCredential)
  $ apim-fn local status                   where the local Azure listens, and what it holds`,
  );
  for (const make of [initCommand, upCommand, deployCommand, keysCommand, callCommand, statusCommand, downCommand, localCommand]) program.addCommand(make());
  applyToAll(program, (c) => c.exitOverride().showHelpAfterError('(run with --help for usage)'));
  return program;
}

function applyToAll(cmd: Command, f: (c: Command) => void): void {
  f(cmd);
  for (const sub of cmd.commands) applyToAll(sub, f);
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    // A command may report failure without throwing (call: HTTP >= 400).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed the message
    }
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    const debug = argv.includes('--debug') || process.env.APIM_FN_DEBUG === '1';
    process.stderr.write(`error: ${(e as Error).message}\n`);
    if (debug) process.stderr.write(`${(e as Error).stack}\n`);
    else process.stderr.write('(this is a bug in apim-fn; run with --debug for the stack trace)\n');
    return 1;
  }
}
