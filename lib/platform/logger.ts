import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of logmon: structured JSON lines (Powertools Logger).
 * Level from POWERTOOLS_LOG_LEVEL (default INFO); tests set it to SILENT.
 */
export const logger = new Logger({ serviceName: 'logmon' });

export type AppLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
