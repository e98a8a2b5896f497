/** The page's side of the hash worker: hands it the File, reports its progress, answers the manifest. */
import { ShoalError } from '../../core/errors.ts'
import type { Manifest } from '../../core/manifest.ts'
import type { HashReply, HashRequest } from './hash-messages.ts'

export function hashInWorker(file: File, onProgress: (hashedBytes: number) => void): Promise<Manifest> {
  const worker = new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module', name: 'shoal-hash' })
  return new Promise<Manifest>((resolve, reject) => {
    worker.onmessage = ({ data }: MessageEvent<HashReply>) => {
      if (data.type === 'progress') return onProgress(data.hashedBytes)
      if (data.type === 'done') resolve(data.manifest)
      else reject(data.code ? new ShoalError(data.code, data.message) : new Error(data.message))
    }
    worker.onerror = (event) => {
      // Handled here: without preventDefault the browser logs it as an uncaught error too.
      event.preventDefault()
      // In practice a worker script that failed to load: its own errors come back as 'failed'.
      reject(new ShoalError('IO', 'The file could not be hashed: the page could not start its hashing worker. Reload the page and try again.'))
    }
    worker.postMessage({ file } satisfies HashRequest)
  }).finally(() => worker.terminate())
}
