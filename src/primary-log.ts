import type { LogLevel } from './config';

// pino's numeric levels, so primary and worker lines read the same in a log pipeline.
const levels: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export type PrimaryLog = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: object) => void;

/** The primary serves no requests; a JSON line writer is all it needs (workers use fastify's pino). */
export function createPrimaryLog(threshold: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line)): PrimaryLog {
  return (level, msg, fields = {}) => {
    if (levels[level] < levels[threshold]) return;
    write(`${JSON.stringify({ level: levels[level], time: Date.now(), pid: process.pid, role: 'primary', ...fields, msg })}\n`);
  };
}
