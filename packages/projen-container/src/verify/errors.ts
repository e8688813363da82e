/**
 * An error meant for the person at the terminal: `cli.ts` prints its message
 * as one line, without a stack trace, and exits non-zero. Anything else that
 * escapes is a bug in the verifier and keeps its stack.
 */
export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}
