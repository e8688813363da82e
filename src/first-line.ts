/** Startup errors are reported as one line; YAML and fs errors can span several. */
export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].trim();
}
