import { OneLineError } from '../engine/errors';

/** A verify problem the person at the terminal can fix; `cli.ts` prints it as one line. */
export class VerifyError extends OneLineError {}
