// The one place that writes to the terminal. Data goes to stdout; progress and human lines go to stderr
// when --json is on, so stdout stays machine-readable. Spinners (ora) only on a TTY; NO_COLOR honoured.
import type { Ora } from 'ora';

export interface Output {
  readonly json: boolean;
  /** A human line (stderr in --json mode). */
  info(line: string): void;
  warn(line: string): void;
  /** Data for stdout: JSON document in --json mode, else preformatted text. */
  data(value: unknown, text?: string): void;
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
}

const useColor = () => !process.env.NO_COLOR && process.stderr.isTTY === true;

export function createOutput(opts: { json?: boolean } = {}): Output {
  const json = opts.json === true;
  const human = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n');
  return {
    json,
    info: human,
    warn: (line) => process.stderr.write(`${useColor() ? '\x1b[33mwarning\x1b[0m' : 'warning'}: ${line}\n`),
    data(value, text) {
      if (json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
      else process.stdout.write((text ?? String(value)) + (text?.endsWith('\n') ? '' : '\n'));
    },
    async step(label, work) {
      const started = Date.now();
      const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
      if (!process.stderr.isTTY || json) {
        const result = await work();
        process.stderr.write(`${label} (${elapsed()})\n`);
        return result;
      }
      const { default: ora } = await import('ora');
      const spinner: Ora = ora({ text: label, stream: process.stderr, color: useColor() ? 'cyan' : undefined }).start();
      try {
        const result = await work();
        spinner.succeed(`${label} (${elapsed()})`);
        return result;
      } catch (e) {
        spinner.fail(`${label} (${elapsed()})`);
        throw e;
      }
    },
  };
}
