// `apim-fn local ...`: run and inspect the local Azure (an offline ARM control plane + data plane).
// Declares options and help only; the work is in src/local-control/, imported when a subcommand runs.
import { Command, Option } from 'commander';
import { usageError } from '../errors.ts';
import { localDataDir } from '../local-control/data-dir.ts';

const dataOption = () => new Option('--data <dir>', 'data dir (default: $APIM_FN_LOCAL_DATA or ~/.apim-fn/local)');

function examples(cmd: Command, lines: string): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines}`);
}

function positiveNumber(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw usageError(`${name} must be a non-negative number, got '${v}'`);
    return n;
  };
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw usageError(`--port must be an integer 0..65535, got '${v}'`);
  return n;
}

export function localCommand(): Command {
  const local = new Command('local').description('run the local Azure: ARM control plane, function hosts and APIM gateways on loopback');
  examples(local, '  $ apim-fn local start --detach\n  $ apim-fn local status --json\n  $ apim-fn local log --writes\n  $ apim-fn local stop');

  examples(
    local
      .command('start')
      .description('start the local Azure (foreground unless --detach)')
      .addOption(dataOption())
      .option('--port <n>', 'HTTPS port for the control plane (default: last used, else any free port)', port)
      .option('--detach', 'run in the background and return once it answers')
      .addOption(new Option('--latency <model>', 'LRO timing').choices(['none', 'realistic']).default('none'))
      .option('--time-scale <f>', 'multiply realistic LRO durations (e.g. 0.05)', positiveNumber('--time-scale'), 1)
      .option('--no-throttle', 'disable ARM request throttling')
      .option('--json', 'print the status as JSON')
      .action(async (o) => (await import('../local-control/commands.ts')).start(o)),
    `  $ apim-fn local start --detach
  $ apim-fn local start --latency realistic --time-scale 0.1
  $ apim-fn local start --data ./.local-azure --port 8443`,
  );

  examples(
    local.command('stop').description('stop a detached local Azure').addOption(dataOption()).action(async (o) => (await import('../local-control/commands.ts')).stop(o)),
    '  $ apim-fn local stop',
  );

  examples(
    local
      .command('status')
      .description('endpoint, CA certificate, data dir, pid and resource counts (exit 1 when not running)')
      .addOption(dataOption())
      .option('--json', 'print JSON (fields endpoint, caCert, dataDir, pid, subscriptionId, resources)')
      .action(async (o) => (await import('../local-control/commands.ts')).status(o)),
    '  $ apim-fn local status\n  $ apim-fn local status --json',
  );

  examples(
    local
      .command('reset')
      .description('wipe every resource of the local Azure (keeps its CA and subscription id)')
      .addOption(dataOption())
      .option('-y, --yes', 'do not ask for confirmation (required when not on a TTY)')
      .action(async (o) => (await import('../local-control/commands.ts')).reset(o)),
    '  $ apim-fn local reset --yes',
  );

  examples(
    local
      .command('log')
      .description('requests the local Azure served (time, method, path, api-version, status, duration)')
      .addOption(dataOption())
      .option('--writes', 'only PUT/PATCH/POST/DELETE that change something (read-only POSTs such as listKeys excluded)')
      .option('--since <seq>', 'only requests after this sequence number', positiveNumber('--since'))
      .option('--json', 'print JSON')
      .action(async (o) => (await import('../local-control/commands.ts')).log(o)),
    '  $ apim-fn local log --writes\n  $ apim-fn local log --json --since 120',
  );

  const faults = local.command('faults').description('inject faults: make matching requests fail, hang or drop');
  examples(
    faults
      .command('add')
      .description('add a fault rule')
      .addOption(dataOption())
      .requiredOption('--path <glob>', "request path pattern ('*' within a segment, '**' across; '~regex' for a regex)")
      .option('--method <m>', 'only this HTTP method')
      .option('--status <code>', 'answer with this status (429, 500, 503, ...)', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 400 || n > 599) throw usageError(`--status must be 400..599, got '${v}'`);
        return n;
      })
      .option('--retry-after <s>', 'Retry-After seconds for 429/503', positiveNumber('--retry-after'))
      .option('--drop', 'drop the connection')
      .option('--latency <ms>', 'add latency', positiveNumber('--latency'))
      .option('--lro-failed', 'let the request start its long-running operation, which then ends Failed')
      .option('--count <n>', 'fire for the next N matches', positiveNumber('--count'))
      .option('--fraction <f>', 'fire for this fraction of matches (0..1]', positiveNumber('--fraction'))
      .option('--json', 'print JSON')
      .action(async (o) => (await import('../local-control/commands.ts')).faultsAdd(o)),
    `  $ apim-fn local faults add --method PUT --path '**/storageAccounts/*' --status 429 --retry-after 1 --count 2
  $ apim-fn local faults add --path '**/service/*' --method PUT --lro-failed
  $ apim-fn local faults add --path '/subscriptions/**' --fraction 0.1 --status 503`,
  );
  examples(
    faults.command('list').description('list fault rules').addOption(dataOption()).option('--json', 'print JSON').action(async (o) => (await import('../local-control/commands.ts')).faultsList(o)),
    '  $ apim-fn local faults list',
  );
  examples(
    faults.command('clear').description('remove every fault rule').addOption(dataOption()).action(async (o) => (await import('../local-control/commands.ts')).faultsClear(o)),
    '  $ apim-fn local faults clear',
  );

  return local;
}

export { localDataDir };
