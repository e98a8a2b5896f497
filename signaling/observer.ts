/**
 * What operators learn about the tracker's traffic: every connection and every event is counted
 * in the metrics and logged at its level. Refusals are warnings, but only so many per connection:
 * a client flooding bad events must not flood the log as well (the metrics still count them all).
 */
import type { EventOutcome } from './guarded.ts'
import type { TrackerIo } from './handlers.ts'
import type { Logger } from './logger.ts'
import type { TrackerMetrics } from './metrics.ts'
import { TokenBucket } from './rate-limiter.ts'

/** Refusals logged per connection at once, and per second after that. */
const REFUSAL_LOG_BURST = 10
const REFUSAL_LOGS_PER_SECOND = 1
/** What a refused client was told is our own text, but it can echo the names of keys it sent. */
const MAX_LOGGED_MESSAGE = 200

export interface TrackerObserver {
  /** One event's outcome, from guarded(). */
  handled(socketId: string, outcome: EventOutcome): void
  /** An unexpected error inside a handler. */
  failed(err: unknown, event: string): void
}

interface RefusalLog {
  budget: TokenBucket
  /** Refusals not logged since the last one that was. */
  suppressed: number
}

export function observeTracker(io: TrackerIo, deps: { metrics: TrackerMetrics; logger: Logger }): TrackerObserver {
  const { metrics, logger } = deps
  const refusalLogs = new Map<string, RefusalLog>()

  io.on('connection', (socket) => {
    metrics.connected()
    logger.debug({ socket: socket.id, address: socket.handshake.address }, 'connected')
    socket.on('disconnect', (reason) => {
      refusalLogs.delete(socket.id)
      metrics.disconnected(reason)
      logger.debug({ socket: socket.id, reason }, 'disconnected')
    })
  })

  /** Whether to log this refusal; counts the ones it drops. A connection that closed has no entry. */
  function mayLog(socketId: string): { suppressed?: number } | undefined {
    let log = refusalLogs.get(socketId)
    if (!log) {
      // An async handler can answer after its connection closed: log it, but keep no state for it.
      if (!io.of('/').sockets.has(socketId)) return {}
      log = { budget: new TokenBucket({ burst: REFUSAL_LOG_BURST, perSecond: REFUSAL_LOGS_PER_SECOND }), suppressed: 0 }
      refusalLogs.set(socketId, log)
    }
    if (!log.budget.take()) {
      log.suppressed++
      return undefined
    }
    const { suppressed } = log
    log.suppressed = 0
    return suppressed > 0 ? { suppressed } : {}
  }

  return {
    handled(socketId, outcome) {
      metrics.eventHandled(outcome)
      const { event, code, message, seconds } = outcome
      if (code === undefined) return logger.trace({ socket: socketId, event, ms: seconds * 1000 }, 'handled')
      const extra = mayLog(socketId)
      if (!extra) return
      logger.warn({ socket: socketId, event, reason: code, message: message?.slice(0, MAX_LOGGED_MESSAGE), ...extra }, 'refused')
    },
    failed(err, event) {
      logger.error({ err, event }, 'handler failed')
    },
  }
}
