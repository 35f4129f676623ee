// The options of the local scripts (arguments and variables), checked like the
// handlers' variables (lib/platform/env.ts) before a script does anything.
import { ConfigError } from '../lib/platform/errors';

/** Exit code of a script given a bad option (as for a usage error). */
export const BAD_OPTION_EXIT_CODE = 2;

/**
 * Read a script's options with `read`; a ConfigError (a bad option) ends the
 * process with its message on stderr and exit code 2.
 *
 * @example
 *   const seconds = readOptions('generate-logs', () => intOption(process.argv[3], 'seconds (2nd argument)', 5, 1));
 */
export function readOptions<T>(script: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${script}: ${err.message}\n`);
    process.exit(BAD_OPTION_EXIT_CODE);
  }
}
