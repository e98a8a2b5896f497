/** Node's native SHA-256: faster than WebCrypto for hashing whole files piece by piece. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { ShoalError } from '../core/errors.ts'
import { type Manifest, createManifest } from '../core/manifest.ts'
import type { IncrementalHash } from '../core/piece-download.ts'
import { readExactly } from './read-exactly.ts'

export async function sha256HexNode(data: Uint8Array): Promise<string> {
  return createHash('sha256').update(data).digest('hex')
}

/** For SwarmOptions.incrementalHash: pieces hashed block by block as they arrive. */
export function incrementalSha256Node(): IncrementalHash {
  const hash = createHash('sha256')
  return { update: (data) => void hash.update(data), digestHex: () => hash.digest('hex') }
}

/** How a Node peer's Swarm hashes pieces: natively, and on arrival where it can. */
export const NODE_PIECE_HASHING = { hashPiece: sha256HexNode, incrementalHash: incrementalSha256Node } as const

/** SHA-256 of a whole file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Builds the manifest of a file, reading one piece at a time. */
export async function manifestOfFile(
  path: string,
  options: { pieceSize?: number | undefined; onProgress?: (hashed: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<Manifest> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new ShoalError('IO', err.code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${err.code ?? err.message}`)
  })
  if (!info.isFile()) throw new ShoalError('BAD_INPUT', `${path} is not a regular file`)
  const file = await open(path, 'r')
  try {
    return await createManifest({
      name: basename(path),
      size: info.size,
      readPiece: (_index, offset, length) => readExactly(file, offset, length),
      hashPiece: sha256HexNode,
      ...options,
    })
  } finally {
    await file.close()
  }
}
