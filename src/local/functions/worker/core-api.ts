// The '@azure/functions-core' API the Node.js language worker hands to @azure/functions v4 (its
// setupCoreModule): registerFunction, registerHook, set/getProgrammingModel, log, Disposable, version and
// hostVersion. The app's @azure/functions registers every app.http(...) through it and sets itself as the
// programming model that turns invocation requests into HttpRequest / InvocationContext objects.
import { basename, dirname } from 'node:path';

export class Disposable {
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    let list: typeof items | undefined = items;
    return new Disposable(() => {
      for (const d of list ?? []) if (typeof d?.dispose === 'function') d.dispose();
      list = undefined;
    });
  }
  #onDispose: (() => unknown) | undefined;
  constructor(onDispose: () => unknown) {
    this.#onDispose = onDispose;
  }
  dispose(): unknown {
    const f = this.#onDispose;
    this.#onDispose = undefined;
    return typeof f === 'function' ? f() : undefined;
  }
}

export type HookName = 'preInvocation' | 'postInvocation' | 'appStart' | 'appTerminate' | 'log';
type Hook = (context: any) => unknown;

export interface RegisteredFunction {
  metadata: {
    functionId: string;
    name: string;
    bindings: Record<string, any>;
    rawBindings: string[];
    scriptFile: string;
    directory: string;
    [k: string]: unknown;
  };
  callback: (...args: unknown[]) => unknown;
}

/** What the worker knows about the app while it starts and runs (the worker's AppContext). */
export class WorkerApp {
  programmingModel: any;
  functions: Record<string, RegisteredFunction> = {};
  hooks: Record<HookName, Hook[]> = { preInvocation: [], postInvocation: [], appStart: [], appTerminate: [], log: [] };
  appHookData: Record<string, unknown> = {};
  appLevelOnlyHookData: Record<string, unknown> = {};
  indexingLocked = false;
  currentEntryPoint: string | undefined;
  log: (level: string, category: string, message: string, invocationId?: string) => void = () => undefined;
}

// What the real worker reports: its version and the host it runs under.
const WORKER_VERSION = '3.12.0';
const HOST_VERSION = '4.1044.0.0';

export function createCoreApi(app: WorkerApp) {
  return {
    version: WORKER_VERSION,
    get hostVersion() {
      return HOST_VERSION;
    },
    registerHook(hookName: string, callback: Hook): Disposable {
      const list = app.hooks[hookName as HookName];
      if (!list) throw Object.assign(new RangeError(`Unrecognized hook "${hookName}"`), { isAzureFunctionsSystemError: true });
      list.push(callback);
      return new Disposable(() => {
        const i = list.indexOf(callback);
        if (i >= 0) list.splice(i, 1);
      });
    },
    setProgrammingModel(model: unknown): void {
      if (app.programmingModel) {
        const m = model as { name?: string; version?: string };
        app.log('information', 'system', `Setting Node.js programming model to "${m.name}" version "${m.version}"`);
      }
      app.programmingModel = model;
    },
    getProgrammingModel: () => app.programmingModel,
    log(level: string, category: string, message: string): void {
      app.log(level, category, message);
    },
    registerFunction(metadata: any, callback: (...args: unknown[]) => unknown): Disposable {
      if (app.indexingLocked) throw systemError('A function can only be registered during app startup.');
      const functionId: string = metadata.functionId || metadata.name;
      if (functionId in app.functions) throw systemError(`A function with id "${functionId}" has already been registered.`);
      const entry = app.currentEntryPoint;
      app.functions[functionId] = {
        metadata: {
          ...metadata,
          functionId,
          // rawBindings is what the host reads; bindings is what @azure/functions reads back at invocation.
          rawBindings: Object.entries(metadata.bindings ?? {}).map(([name, b]) => JSON.stringify({ ...(b as object), name })),
          scriptFile: entry ? basename(entry) : 'unknown',
          directory: entry ? dirname(entry) : '',
        },
        callback,
      };
      return new Disposable(() => {
        if (app.indexingLocked) throw systemError('A function can only be disposed during app startup.');
        delete app.functions[functionId];
      });
    },
    Disposable,
  };
}

function systemError(message: string): Error {
  return Object.assign(new Error(message), { isAzureFunctionsSystemError: true });
}
