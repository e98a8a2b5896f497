/** Random files for the store benchmark, streamed to disk so a GiB never sits in this process. */
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

const CHUNK = 1024 * 1024

export async function writeRandomFile(path: string, size: number): Promise<void> {
  const out = createWriteStream(path)
  for (let written = 0; written < size; written += CHUNK) {
    if (!out.write(randomBytes(Math.min(CHUNK, size - written)))) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}
