// One error type for "you did something wrong": a one-line, actionable message and an exit code
// (2 for usage mistakes, 1 otherwise). Anything else reaching the top is a bug and shows a stack with --debug.
export class UserError extends Error {
  readonly exitCode: 1 | 2;
  constructor(message: string, exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string): UserError => new UserError(message, 2);
