// `apim-fn call`: declare options and help; the work is in src/gateway-client/run-call.ts.
import { Command } from 'commander';

export function callCommand(): Command {
  return new Command('call')
    .description('call an operation of the API through the gateway with a subscription key')
    .argument('<operation>', "operation: operationId, APIM operation name (get-getter) or path (getter)")
    .argument('[params...]', 'operation parameters as --<name> <value>')
    .option('--data <value>', 'request body, or @file')
    .option('--header <name:value>', 'extra request header (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--key <key>', 'subscription key: admin, client or a key value (default: first active subscription)')
    .option('--api <id>', 'API id (default: the one up imported)')
    .option('-n, --name <collection>', 'another collection than the project in this directory')
    .option('--raw', 'print the body exactly as received')
    .option('--json', 'print status, headers (with --verbose) and body as JSON')
    .option('--verbose', 'print request and response headers (the key masked)')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', "\nExamples:\n  $ apim-fn call getter --message world\n  $ apim-fn call poster --data 'hello'\n  $ apim-fn call get-getter --message hi --key client --verbose")
    .action(async (operation: string, params: string[], o) => (await import('../gateway-client/run-call.ts')).runCall(operation, params, o));
}
