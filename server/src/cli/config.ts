import { type Config, ConfigError, loadConfig } from '../platform/config.js';

/** The configuration, or exit 2 naming every bad variable. */
export function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`abrik: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** Writes one line to standard output. */
export const write = (line = '') => process.stdout.write(`${line}\n`);
