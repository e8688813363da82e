/** What a worker that could not start (e.g. its port is taken) tells the primary before exiting. */
export interface StartupFailure {
  startupError: string;
}

export function isStartupFailure(message: unknown): message is StartupFailure {
  return typeof message === 'object' && message !== null && typeof (message as { startupError?: unknown }).startupError === 'string';
}
