import { createLogger, type Logger } from '../../src/platform/logger.js';

export interface LogLine {
  level: string;
  component?: string;
  msg: string;
  [key: string]: unknown;
}

/**
 * A debug logger for things a test builds itself (providers, clients built before the app):
 * every JSON line it writes is kept in `lines`, and also in `alsoInto` — a list a whole file
 * collects to check that no line of any scenario leaks a secret.
 */
export function capturingLogger(alsoInto?: string[]): {
  logger: Logger;
  lines: string[];
  logs: () => LogLine[];
} {
  const lines: string[] = [];
  const destination = {
    write(line: string) {
      lines.push(line);
      alsoInto?.push(line);
    },
  };
  return {
    logger: createLogger({ level: 'debug', destination }),
    lines,
    logs: () => lines.map((line) => JSON.parse(line) as LogLine),
  };
}
