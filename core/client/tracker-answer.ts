/**
 * Turns what a tracker answered into a value or a ShoalError. The tracker is not trusted
 * blindly: an answer of the wrong shape, or with a code this client does not know, is a
 * TRACKER_ERROR rather than something that crashes the caller later.
 */
import { ShoalError } from '../errors.ts'
import { TRACKER_ERROR_CODES } from '../tracker-protocol.ts'
import type { TrackerErrorCode } from '../tracker-protocol.ts'

const KNOWN_CODES: ReadonlySet<string> = new Set(TRACKER_ERROR_CODES)

/** The fields of a successful answer, still unchecked; each request checks the ones it reads. */
export function readAnswer(event: string, answer: unknown): Record<string, unknown> {
  if (typeof answer !== 'object' || answer === null) throw malformed(event)
  const { ok, error } = answer as Record<string, unknown>
  if (ok === true) return answer as Record<string, unknown>
  if (ok !== false || typeof error !== 'object' || error === null) throw malformed(event)
  const { code, message } = error as Record<string, unknown>
  const known = typeof code === 'string' && KNOWN_CODES.has(code)
  const text = typeof message === 'string' ? message.slice(0, 500) : 'no reason given'
  throw new ShoalError(known ? (code as TrackerErrorCode) : 'TRACKER_ERROR', `tracker refused ${event}: ${text}`)
}

export function malformed(event: string): ShoalError {
  return new ShoalError('TRACKER_ERROR', `tracker sent a malformed answer to ${event}`)
}
