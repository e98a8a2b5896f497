/**
 * Reads one range of a picked file. Only ever a slice: a multi-GB file must never be read
 * whole into memory (WebTorrent's tab crashes came from holding files in RAM).
 */
import { ShoalError } from '../../core/errors.ts'

export async function readSlice(file: File, start: number, length: number): Promise<Uint8Array> {
  let buffer: ArrayBuffer
  try {
    buffer = await file.slice(start, start + length).arrayBuffer()
  } catch (err) {
    // Chromium refuses (NotReadableError) once the file on disk was changed, moved or deleted.
    throw unreadable(file, err)
  }
  if (buffer.byteLength !== length) throw unreadable(file, new Error(`read ${buffer.byteLength} bytes at ${start}, expected ${length}`))
  return new Uint8Array(buffer)
}

function unreadable(file: File, cause: unknown): ShoalError {
  return new ShoalError('IO', `${file.name} can no longer be read: was it changed, moved or deleted? Pick it again to share it.`, { cause })
}
