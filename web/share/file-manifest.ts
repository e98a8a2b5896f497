/** The manifest of a picked file, hashed piece by piece from slices (run inside the hash worker). */
import { createManifest, type Manifest } from '../../core/manifest.ts'
import { readSlice } from './read-slice.ts'

export function manifestOfFile(file: File, onProgress?: (hashedBytes: number) => void): Promise<Manifest> {
  return createManifest({
    name: file.name,
    size: file.size,
    readPiece: (_index, offset, length) => readSlice(file, offset, length),
    onProgress,
  })
}
