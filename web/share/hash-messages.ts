/** What the page and the hash worker say to each other. */
import type { ShoalErrorCode } from '../../core/errors.ts'
import type { Manifest } from '../../core/manifest.ts'

/** The File goes by structured clone: a reference to the file on disk, not a copy of its bytes. */
export interface HashRequest {
  file: File
}

export type HashReply =
  | { type: 'progress'; hashedBytes: number }
  | { type: 'done'; manifest: Manifest }
  | { type: 'failed'; code?: ShoalErrorCode; message: string }
