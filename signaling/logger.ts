/**
 * The tracker's structured log: one JSON object per line (pino) on stderr, so that
 * `shoal serve --json` keeps stdout for its own machine-readable events.
 */
import { pino } from 'pino'
import type { DestinationStream, Logger } from 'pino'
import { ShoalError } from '../core/errors.ts'

export type { Logger }

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export const DEFAULT_LOG_LEVEL: LogLevel = 'info'

/** `source` names where the value came from, for the error message. */
export function parseLogLevel(value: string, source = '--log-level'): LogLevel {
  const level = LOG_LEVELS.find((known) => known === value.trim().toLowerCase())
  if (!level) throw new ShoalError('BAD_INPUT', `${source} must be one of ${LOG_LEVELS.join(', ')}, not "${value}"`)
  return level
}

export interface LoggerOptions {
  level?: LogLevel
  /** Where the lines go; stderr by default. Tests pass a stream to read them back. */
  destination?: DestinationStream
}

export function createLogger(options: LoggerOptions = {}): Logger {
  // Asynchronous writes: a busy tracker logging at debug must not block on stderr. pino flushes
  // what is pending when the process exits.
  return pino(
    {
      level: options.level ?? DEFAULT_LOG_LEVEL,
      // Names and ISO times rather than pino's numbers: read by people grepping as often as by machines.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 2, sync: false }),
  )
}

/** Logs nothing and opens no stream: the default for a tracker started without a logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' }, { write: () => {} })
}
