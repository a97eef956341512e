// Runs tasks on a dependency graph: each starts as soon as all it depends on has finished, independent
// ones run concurrently. A failure stops new tasks from starting; the ones under way finish.
export interface Task<C> {
  key: string;
  dependsOn: string[];
  run: (ctx: C) => Promise<void>;
}

export interface GraphResult {
  done: string[];
  failed: Array<{ key: string; error: unknown }>;
  skipped: string[];
}

export function checkGraph<C>(tasks: Task<C>[]): void {
  const keys = new Set(tasks.map((t) => t.key));
  for (const t of tasks) for (const d of t.dependsOn) if (!keys.has(d)) throw new Error(`task ${t.key} depends on unknown ${d}`);
  const visiting = new Set<string>();
  const seen = new Set<string>();
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  const visit = (k: string) => {
    if (seen.has(k)) return;
    if (visiting.has(k)) throw new Error(`dependency cycle through ${k}`);
    visiting.add(k);
    for (const d of byKey.get(k)!.dependsOn) visit(d);
    visiting.delete(k);
    seen.add(k);
  };
  for (const t of tasks) visit(t.key);
}

export async function runGraph<C>(tasks: Task<C>[], ctx: C): Promise<GraphResult> {
  checkGraph(tasks);
  const done = new Set<string>();
  const failed: GraphResult['failed'] = [];
  const started = new Set<string>();
  return new Promise((resolve) => {
    let running = 0;
    const pump = () => {
      if (!failed.length) {
        for (const t of tasks) {
          if (started.has(t.key) || !t.dependsOn.every((d) => done.has(d))) continue;
          started.add(t.key);
          running++;
          t.run(ctx).then(
            () => {
              done.add(t.key);
              running--;
              pump();
            },
            (error) => {
              failed.push({ key: t.key, error });
              running--;
              pump();
            },
          );
        }
      }
      if (running === 0) {
        resolve({ done: tasks.filter((t) => done.has(t.key)).map((t) => t.key), failed, skipped: tasks.filter((t) => !started.has(t.key)).map((t) => t.key) });
      }
    };
    pump();
  });
}
