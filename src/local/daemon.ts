// Process entry of a local Azure started with `apim-fn local start --detach`: serves until SIGTERM/SIGINT
// or POST /.local/stop. Options arrive as one JSON argument from the CLI.
import { startLocalAzure, type LocalAzureOptions } from './index.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as LocalAzureOptions;
try {
  const azure = await startLocalAzure(opts);
  process.stdout.write(`local Azure listening on ${azure.endpoint} (data ${azure.dataDir}, pid ${process.pid})\n`);
  const stop = () => void azure.close();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await azure.closed;
  process.exit(0);
} catch (e) {
  process.stderr.write(`local Azure failed to start: ${(e as Error).message}\n`);
  process.exit(1);
}
