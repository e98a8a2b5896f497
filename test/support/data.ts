/** Test data: random bytes and manifests built from them with the real core code. */
import { createHash, randomBytes } from 'node:crypto'
import { type Manifest, createManifest, encodeManifest, manifestId } from '../../core/manifest.ts'

export function randomData(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size))
}

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

export async function manifestFor(data: Uint8Array, pieceSize: number, name = 'data.bin'): Promise<{ manifest: Manifest; id: string; json: string }> {
  const manifest = await createManifest({
    name,
    size: data.length,
    pieceSize,
    readPiece: async (_i, offset, length) => data.subarray(offset, offset + length),
  })
  return { manifest, id: await manifestId(manifest), json: new TextDecoder().decode(encodeManifest(manifest)) }
}
