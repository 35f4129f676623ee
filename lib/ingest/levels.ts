/** Levels logmon understands in `[LEVEL]`; anything else is an unparseable line. */
export const KNOWN_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARN', 'WARNING', 'ERROR', 'FATAL', 'CRITICAL'] as const;
