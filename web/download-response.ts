/**
 * The service worker's answer to `GET /download/<id>`: the file this browser stored for that
 * swarm, streamed out of IndexedDB one piece at a time. Each piece is a Blob that Chromium
 * keeps on disk, read through its own stream, so however large the file, the worker holds
 * about one piece's worth of chunks, never the whole file.
 */
import { utf8 } from '../core/bytes.ts'
import { ShoalError } from '../core/errors.ts'
import { decodeManifest, pieceLength, type Manifest } from '../core/manifest.ts'
import { attachmentDisposition } from './content-disposition.ts'
import { openShoalDb, type ShoalDb } from './idb-db.ts'

/**
 * Never rejects: a failure becomes a plain-text response the browser shows or saves. HEAD
 * makes the same checks and sends the same headers without the file, so the page can ask
 * whether a download would work before starting one.
 */
export async function downloadResponse(swarmId: string, method: 'GET' | 'HEAD'): Promise<Response> {
  let db: ShoalDb | undefined
  try {
    db = await openShoalDb()
    const record = await db.get('swarms', swarmId)
    if (!record) {
      return plainText(404, `This browser holds no file with id ${swarmId}. Open its share link and let the download finish, then save it from that page.`)
    }
    const manifest = decodeManifest(utf8.encode(record.manifest))
    const count = manifest.pieces.length
    const stored = await db.count('pieces', IDBKeyRange.bound([swarmId, 0], [swarmId, count], false, true))
    if (stored < count) {
      return plainText(409, `${manifest.name} is not complete in this browser yet (${stored} of ${count} pieces). Keep its share link open until the download finishes, then save it.`)
    }
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(manifest.size),
      'Content-Disposition': attachmentDisposition(manifest.name),
      'Cache-Control': 'no-store',
    }
    if (method === 'HEAD') return new Response(null, { headers })
    const body = pieceStream(db, swarmId, manifest)
    db = undefined // the stream owns the connection now and closes it when done
    return new Response(body, { headers })
  } catch (err) {
    return plainText(500, `Could not read the file from browser storage: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    db?.close()
  }
}

/** Pulls one piece at a time, and from it one chunk at a time, only as fast as the download reads. */
function pieceStream(db: ShoalDb, swarmId: string, manifest: Manifest): ReadableStream<Uint8Array> {
  let next = 0
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          if (!reader) {
            if (next === manifest.pieces.length) {
              db.close()
              controller.close()
              return
            }
            reader = (await storedPiece(db, swarmId, manifest, next++)).stream().getReader()
          }
          const { done, value } = await reader.read()
          if (!done) return controller.enqueue(value)
          reader = undefined
        }
      } catch (err) {
        // A rejected pull errors the stream: the browser marks the download failed.
        db.close()
        throw err
      }
    },
    async cancel(reason) {
      db.close()
      await reader?.cancel(reason)
    },
  })
}

/** A piece of the wrong length would make the download silently differ from Content-Length. */
async function storedPiece(db: ShoalDb, swarmId: string, manifest: Manifest, piece: number): Promise<Blob> {
  const blob = await db.get('pieces', [swarmId, piece])
  const expected = pieceLength(manifest, piece)
  if (!blob || blob.size !== expected) {
    throw new ShoalError('IO', `piece ${piece} of ${manifest.name} is ${blob ? `${blob.size} bytes, not ${expected}` : 'missing'} in browser storage`)
  }
  return blob
}

function plainText(status: number, text: string): Response {
  return new Response(`${text}\n`, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } })
}
