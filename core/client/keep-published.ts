/**
 * Keeps a manifest published across tracker restarts. A tracker holds manifests in memory, so
 * one that restarted has forgotten them: without this, peers already in the swarm carry on
 * while nobody new can open the link. Every peer holding the manifest may publish it (its id is
 * its hash, so the bytes can only ever be the same), so each one does, after every reconnect.
 */
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { isShoalError } from '../errors.ts'

/** What re-publishing needs from the tracker client. */
export interface PublishingChannel {
  publishManifest(manifestJson: string): Promise<string>
  onReconnect(listener: () => void): () => void
}

export interface KeepPublishedOptions {
  /** Wait before trying again after a failed publish (the tracker may still be starting up). */
  retryDelayMs?: number
  /** Tries per reconnect; the next reconnect starts over. */
  maxAttempts?: number
  /** A failed re-publish, for logging; the caller's work goes on regardless. */
  onError?: (err: unknown) => void
  clock?: Clock
}

const RETRY_DELAY_MS = 2000
const MAX_ATTEMPTS = 5
/** Answers that another try cannot change. */
const PERMANENT = ['NOT_ADMITTED', 'BAD_MANIFEST', 'MANIFEST_ID_MISMATCH', 'ABORTED'] as const

/**
 * Re-publishes `manifestJson` after every reconnect of `tracker` until the returned function is
 * called, or the client is closed (closing drops the listener, and a pending retry fails ABORTED).
 */
export function keepPublished(tracker: PublishingChannel, manifestJson: string, options: KeepPublishedOptions = {}): () => void {
  const { retryDelayMs = RETRY_DELAY_MS, maxAttempts = MAX_ATTEMPTS, clock = systemClock } = options
  let stopped = false
  // Bumped on each reconnect, so a retry loop from an older connection stops.
  let generation = 0
  let timer: unknown

  const attempt = (gen: number, n: number): void => {
    tracker.publishManifest(manifestJson).catch((err: unknown) => {
      if (stopped || gen !== generation) return
      options.onError?.(err)
      if (n >= maxAttempts || PERMANENT.some((code) => isShoalError(err, code))) return
      timer = clock.setTimeout(() => attempt(gen, n + 1), retryDelayMs)
    })
  }

  const off = tracker.onReconnect(() => {
    if (stopped) return
    clock.clearTimeout(timer)
    attempt(++generation, 1)
  })
  return () => {
    stopped = true
    off()
    clock.clearTimeout(timer)
  }
}
