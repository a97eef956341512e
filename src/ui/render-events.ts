// Renders engine events: one line per resource as it finishes (with elapsed time); on a TTY an ora spinner
// shows what is still under way. In --json mode everything goes to stderr.
import type { EngineEvent, PlannedChange } from '../engine/types.ts';

const SYMBOL: Record<string, string> = { create: '+', update: '~', unchanged: '=' };

export function describeChange(c: PlannedChange): string {
  const fields = c.action === 'update' && c.fields.length ? ` (${c.fields.join(', ')})` : '';
  return `${SYMBOL[c.action]} ${c.action.padEnd(9)} ${c.label}${fields}${c.pending ? ' (depends on resources not created yet)' : ''}`;
}

export async function createRenderer(opts: { json: boolean }) {
  const tty = process.stderr.isTTY === true && !opts.json;
  const running = new Map<string, string>();
  const spinner = tty ? (await import('ora')).default({ stream: process.stderr, text: '' }) : undefined;
  const write = (line: string) => {
    if (spinner?.isSpinning) spinner.clear();
    process.stderr.write(line + '\n');
    if (spinner && running.size) spinner.render();
  };
  const refresh = () => {
    if (!spinner) return;
    if (running.size) {
      spinner.text = `${[...running.values()].join(', ')}`;
      if (!spinner.isSpinning) spinner.start();
    } else if (spinner.isSpinning) spinner.stop();
  };
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  return {
    event(e: EngineEvent) {
      switch (e.type) {
        case 'observe-done':
          write(`Read ${'the current state'} (${secs(e.ms)})`);
          break;
        case 'step-start':
          running.set(e.key, `${e.action === 'create' ? 'creating' : 'updating'} ${e.label}`);
          break;
        case 'step-waiting':
          running.set(e.key, `waiting for ${e.label} (${e.reason})`);
          if (!tty) write(`… waiting for ${e.label} (${e.reason})`);
          break;
        case 'step-done':
          running.delete(e.key);
          write(`${SYMBOL[e.action]} ${e.label}${e.action === 'unchanged' ? ' (unchanged)' : e.action === 'update' ? ` (updated: ${e.fields.join(', ')})` : ' (created)'} ${e.action === 'unchanged' ? '' : secs(e.ms)}`.trimEnd());
          break;
        case 'step-failed':
          running.delete(e.key);
          write(`✗ ${e.label} failed after ${secs(e.ms)}`);
          break;
        case 'warning':
          write(`warning: ${e.message}`);
          break;
      }
      refresh();
    },
    stop() {
      running.clear();
      spinner?.stop();
    },
  };
}
