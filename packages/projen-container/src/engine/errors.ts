/**
 * An error meant for the person at the terminal: every entry point prints
 * its message as one line, without a stack trace, and exits non-zero.
 * Anything else that escapes is a bug and keeps its stack. Each part that
 * refuses has its own subclass, named after it; here, at the bottom layer,
 * so every part can extend it.
 */
export class OneLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An engine problem the person at the terminal can fix: no engine answers, no docker CLI. */
export class EngineError extends OneLineError {}
