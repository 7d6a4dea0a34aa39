import { createLogger, format, transports, type Logger } from 'winston';

/** Structured logs: JSON lines when not on a terminal (for collectors), readable lines on one. */
export function createWorkerLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  return createLogger({
    level,
    format: pretty
      ? format.combine(
          format.timestamp({ format: 'HH:mm:ss' }),
          format.colorize(),
          format.printf(({ timestamp, level: lvl, message, ...meta }) => {
            const rest = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
            return `${timestamp} ${lvl} ${message}${rest}`;
          }),
        )
      : format.combine(format.timestamp(), format.json()),
    transports: [new transports.Console({ stderrLevels: ['error', 'warn'] })],
  });
}
