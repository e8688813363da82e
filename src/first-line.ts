/** Startup errors are reported as one line; YAML and fs errors can span several. */
export function firstLine(err: unknown): string {
  // Duck-typed: errors from another realm (vm contexts, test runners) fail instanceof Error.
  const message = typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
    ? (err as { message: string }).message
    : String(err);
  return message.split('\n')[0].trim();
}
