/**
 * A manifest describes one file: its name, size, piece size and the SHA-256 of every piece.
 * Its id is the SHA-256 of its canonical bytes, so a link only carries the id and whatever is
 * fetched by it can be checked before use.
 */
import { ShoalError } from './errors.ts'
import { sha256Hex, utf8 } from './bytes.ts'

export const MANIFEST_VERSION = 1
export const MIN_PIECE_SIZE = 256 * 1024
export const MAX_PIECE_SIZE = 8 * 1024 * 1024
/** Smallest piece size a manifest may declare: small files and tests use less than the default. */
const MIN_ACCEPTED_PIECE_SIZE = 16 * 1024
/** Piece size grows with the file so that a file has about this many pieces. */
const TARGET_PIECE_COUNT = 2048
/** Largest manifest accepted anywhere: 1 TiB at 8 MiB pieces is 128 Ki hashes of 65 bytes. */
export const MAX_MANIFEST_BYTES = 9 * 1024 * 1024
const MAX_NAME_LENGTH = 255
const HASH_PATTERN = /^[0-9a-f]{64}$/

export interface Manifest {
  readonly version: typeof MANIFEST_VERSION
  readonly name: string
  readonly size: number
  readonly pieceSize: number
  /** Lowercase hex SHA-256 of each piece, in order. */
  readonly pieces: readonly string[]
}

export function isContentId(value: string): boolean {
  return HASH_PATTERN.test(value)
}

/** A power of two between MIN_PIECE_SIZE and MAX_PIECE_SIZE giving about TARGET_PIECE_COUNT pieces. */
export function choosePieceSize(fileSize: number): number {
  let size = MIN_PIECE_SIZE
  while (size < MAX_PIECE_SIZE && fileSize / size > TARGET_PIECE_COUNT) size *= 2
  return size
}

/** A power of two that peers accept: small ones for tests and small files, up to MAX_PIECE_SIZE. */
export function isAcceptedPieceSize(pieceSize: unknown): pieceSize is number {
  return (
    typeof pieceSize === 'number' &&
    Number.isInteger(pieceSize) &&
    pieceSize >= MIN_ACCEPTED_PIECE_SIZE &&
    pieceSize <= MAX_PIECE_SIZE &&
    (pieceSize & (pieceSize - 1)) === 0
  )
}

export function pieceCount(size: number, pieceSize: number): number {
  return Math.ceil(size / pieceSize)
}

export function pieceLength(manifest: Manifest, index: number): number {
  const start = index * manifest.pieceSize
  return Math.min(manifest.pieceSize, manifest.size - start)
}

/** Canonical bytes: fixed key order, no white space. Two equal manifests have equal bytes. */
export function encodeManifest(manifest: Manifest): Uint8Array {
  const { version, name, size, pieceSize, pieces } = manifest
  return utf8.encode(JSON.stringify({ version, name, size, pieceSize, pieces }))
}

export async function manifestId(manifest: Manifest): Promise<string> {
  return sha256Hex(encodeManifest(manifest))
}

/** Parses untrusted bytes; throws BAD_MANIFEST unless they are a valid manifest in canonical form. */
export function decodeManifest(bytes: Uint8Array): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw bad(`manifest is larger than ${MAX_MANIFEST_BYTES} bytes`)
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(bytes))
  } catch {
    throw bad('manifest is not valid UTF-8 JSON')
  }
  const manifest = checkManifest(value)
  const canonical = encodeManifest(manifest)
  if (canonical.length !== bytes.length || canonical.some((b, i) => b !== bytes[i])) {
    throw bad('manifest is not in canonical form')
  }
  return manifest
}

/** Decodes and checks that the bytes are the manifest named by `id`. */
export async function decodeVerifiedManifest(bytes: Uint8Array, id: string): Promise<Manifest> {
  const manifest = decodeManifest(bytes)
  const actual = await sha256Hex(bytes)
  if (actual !== id) {
    throw new ShoalError('MANIFEST_ID_MISMATCH', `manifest bytes hash to ${actual}, not the requested id ${id}`)
  }
  return manifest
}

export interface CreateManifestOptions {
  name: string
  size: number
  pieceSize?: number
  /** Returns the bytes of piece `index` (length pieceLength). */
  readPiece: (index: number, offset: number, length: number) => Promise<Uint8Array>
  /** Hashes each piece; defaults to WebCrypto SHA-256. Node passes a faster native one. */
  hashPiece?: (bytes: Uint8Array) => Promise<string>
  onProgress?: (hashedBytes: number, totalBytes: number) => void
  signal?: AbortSignal
}

export async function createManifest(options: CreateManifestOptions): Promise<Manifest> {
  const { name, size, readPiece, onProgress, signal } = options
  const pieceSize = options.pieceSize ?? choosePieceSize(size)
  const hashPiece = options.hashPiece ?? sha256Hex
  const pieces: string[] = []
  const count = pieceCount(size, pieceSize)
  for (let index = 0; index < count; index++) {
    if (signal?.aborted) throw new ShoalError('ABORTED', 'hashing was cancelled')
    const offset = index * pieceSize
    const length = Math.min(pieceSize, size - offset)
    const bytes = await readPiece(index, offset, length)
    if (bytes.length !== length) throw new ShoalError('IO', `piece ${index}: read ${bytes.length} bytes, expected ${length}`)
    pieces.push(await hashPiece(bytes))
    onProgress?.(offset + length, size)
  }
  return checkManifest({ version: MANIFEST_VERSION, name, size, pieceSize, pieces })
}

function checkManifest(value: unknown): Manifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('manifest must be an object')
  const { version, name, size, pieceSize, pieces } = value as Record<string, unknown>
  if (version !== MANIFEST_VERSION) throw bad(`unsupported manifest version ${String(version)}`)
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw bad(`name must be 1-${MAX_NAME_LENGTH} characters`)
  }
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f]/.test(name) || name === '.' || name === '..') {
    throw bad('name must be a plain file name (no path separators or control characters)')
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw bad('size must be a non-negative integer')
  if (!isAcceptedPieceSize(pieceSize)) {
    throw bad(`pieceSize must be a power of two from ${MIN_ACCEPTED_PIECE_SIZE} to ${MAX_PIECE_SIZE}`)
  }
  if (!Array.isArray(pieces) || pieces.length !== pieceCount(size, pieceSize)) {
    throw bad('pieces must list one hash per piece')
  }
  if (!pieces.every((h) => typeof h === 'string' && HASH_PATTERN.test(h))) {
    throw bad('every piece hash must be 64 lowercase hex characters')
  }
  return { version, name, size, pieceSize, pieces: pieces as string[] }
}

function bad(message: string): ShoalError {
  return new ShoalError('BAD_MANIFEST', message)
}
