/**
 * An engine problem the person at the terminal can fix (no engine answers,
 * no docker CLI): every entry point prints its message as one line, without
 * a stack trace.
 */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}
