/**
 * The hash worker: SHA-256 of every piece of a picked file, off the main thread, so the page
 * stays responsive while a many-GB file is hashed. One request per worker; the page ends it.
 */
import { ShoalError } from '../../core/errors.ts'
import { manifestOfFile } from './file-manifest.ts'
import type { HashReply, HashRequest } from './hash-messages.ts'

// The project compiles against the DOM library, where `self` is a Window; in here it is a
// dedicated worker's scope, of which this uses only these two members.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<HashRequest>) => void) | null
  postMessage(reply: HashReply): void
}

scope.onmessage = async ({ data }) => {
  try {
    // A message per piece: piece sizes keep files near two thousand pieces, few enough to send all.
    const manifest = await manifestOfFile(data.file, (hashedBytes) => scope.postMessage({ type: 'progress', hashedBytes }))
    scope.postMessage({ type: 'done', manifest })
  } catch (err) {
    scope.postMessage({
      type: 'failed',
      code: err instanceof ShoalError ? err.code : undefined,
      message: err instanceof Error ? err.message : String(err),
    })
  }
}
