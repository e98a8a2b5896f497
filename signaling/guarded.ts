/**
 * Wraps an event handler so that nothing a client sends can throw out of it or go unanswered:
 * the body is checked against its schema, the connection's rate limit is applied, and every
 * outcome (including an unexpected error) becomes an ack, if the client asked for one. Being the
 * one place every event passes through, it is also where each is timed and its outcome observed.
 *
 * One guarded handler serves every connection (the connection is an argument), so a tracker
 * holding ten thousand connections does not hold ten thousand copies of each handler.
 */
import { z } from 'zod'
import type { Ack, TrackerErrorCode } from '../core/tracker-protocol.ts'
import type { TokenBucket } from './rate-limiter.ts'

/** What the ack of an event carrying `Ack<T>` is called with. */
export type AckResponse<T> = Parameters<Ack<T>>[0]

export type Failure = { ok: false; error: { code: TrackerErrorCode; message: string } }

export function fail(code: TrackerErrorCode, message: string): Failure {
  return { ok: false, error: { code, message } }
}

/** How one event was answered, whether or not the client asked for an ack. */
export interface EventOutcome {
  event: string
  /** The error code the client was answered with; undefined on success. */
  code: TrackerErrorCode | undefined
  /** What a refused client was told. */
  message: string | undefined
  /** From the event's arrival to its answer. */
  seconds: number
}

/** The connection an event came from: its id (for observers) and its rate limit. */
export interface Caller {
  readonly id: string
  readonly data: { readonly rate: TokenBucket }
}

export interface GuardOptions<T> {
  event: string
  schema: z.ZodType<T>
  onError: (err: unknown, event: string) => void
  /** Told every outcome, for metrics and logs. */
  observe?: (callerId: string, outcome: EventOutcome) => void
}

/** Handles one event from `caller`; `args` are what the client sent, an ack function last if it asked for one. */
export type GuardedHandler<C extends Caller> = (caller: C, args: unknown[]) => void

// The arguments are unknown on purpose: a client can send any arguments, or none, whatever the
// event map says.
export function guarded<C extends Caller, T, R>(options: GuardOptions<T>, handler: (caller: C, body: T) => R | Promise<R>): GuardedHandler<C> {
  const { event, schema } = options
  const onError = (err: unknown, event: string) => {
    try {
      options.onError(err, event)
    } catch {
      // A broken error reporter must not turn a handled failure into a crash.
    }
  }
  return (caller, args) => {
    const arrived = performance.now()
    const last = args.at(-1)
    const ack = typeof last === 'function' ? (last as (response: unknown) => void) : undefined
    const body = args.length > (ack ? 1 : 0) ? args[0] : undefined
    const reply = (response: unknown) => {
      try {
        options.observe?.(caller.id, outcomeOf(event, response, arrived))
      } catch (err) {
        onError(err, event)
      }
      if (!ack) return
      try {
        ack(response)
      } catch (err) {
        onError(err, event)
      }
    }
    const crashed = (err: unknown) => {
      onError(err, event)
      reply(fail('TRACKER_ERROR', `the tracker failed to handle ${event}`))
    }

    if (!caller.data.rate.take()) return reply(fail('RATE_LIMITED', `too many requests; slow down and retry ${event} later`))
    // Everything below runs inside try: a throw would escape into Socket.IO and take the process down.
    try {
      const parsed = schema.safeParse(body)
      // Capped: the issue list echoes key names, and a client picks how many keys it sends.
      if (!parsed.success) return reply(fail('BAD_INPUT', `invalid ${event}: ${z.prettifyError(parsed.error)}`.slice(0, 1000)))
      const result = handler(caller, parsed.data)
      if (result instanceof Promise) result.then(reply, crashed)
      else reply(result)
    } catch (err) {
      crashed(err)
    }
  }
}

function outcomeOf(event: string, response: unknown, arrived: number): EventOutcome {
  const error = (response as Partial<Failure> | undefined)?.ok === false ? (response as Failure).error : undefined
  return { event, code: error?.code, message: error?.message, seconds: (performance.now() - arrived) / 1000 }
}
