/** Stable codes a caller can branch on; the message is for people. */
export type ShoalErrorCode =
  | 'BAD_INPUT'
  | 'BAD_LINK'
  | 'BAD_MANIFEST'
  | 'MANIFEST_ID_MISMATCH'
  | 'NOT_FOUND'
  | 'BAD_MESSAGE'
  | 'PROTOCOL'
  | 'PIECE_HASH_MISMATCH'
  | 'TRACKER_UNREACHABLE'
  | 'TRACKER_ERROR'
  | 'NOT_ADMITTED'
  /** The tracker does not serve pages of this origin (`shoal serve --allow-origin`). */
  | 'ORIGIN_NOT_ALLOWED'
  | 'RATE_LIMITED'
  | 'NO_PEERS'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'IO'
  /** Local storage has no room for more pieces (browser quota, full disk). */
  | 'STORAGE_FULL'

export class ShoalError extends Error {
  override readonly name = 'ShoalError'
  readonly code: ShoalErrorCode

  constructor(code: ShoalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export function isShoalError(err: unknown, code?: ShoalErrorCode): err is ShoalError {
  return err instanceof ShoalError && (code === undefined || err.code === code)
}
