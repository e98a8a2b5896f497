import type { FileHandle } from 'node:fs/promises'

/** Reads `length` bytes at `position`, looping over short reads; throws at end of file. */
export async function readExactly(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done)
    if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position + done}`)
    done += bytesRead
  }
  return buffer
}
