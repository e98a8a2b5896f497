/**
 * A test-only page, built with the real vite.config.ts, that exposes web/ modules to
 * Playwright's page.evaluate. It also bundles simple-peer exactly as the app will, so the
 * Node shims are proven before the swarm engine is wired into the page.
 */
import '../../../web/shims.ts'
import SimplePeer from 'simple-peer'
import { utf8 } from '../../../core/bytes.ts'
import { createManifest, encodeManifest, manifestId } from '../../../core/manifest.ts'
import { evictForCap, listCachedSwarms, removeCachedSwarm } from '../../../web/cached-swarms.ts'
import { IdbChunkStore } from '../../../web/idb-store.ts'
import { acquireSwarmLock } from '../../../web/swarm-lock.ts'
import { assembleFile, saveFile } from '../../../web/save.ts'
import { createView } from '../../../web/view.ts'

/** Connects two simple-peer instances inside this page and echoes one message through them. */
async function loopbackPeers(timeoutMs: number): Promise<{ message: string; candidates: string[] }> {
  const a = new SimplePeer({ initiator: true })
  const b = new SimplePeer()
  const candidates: string[] = []
  a.on('signal', (data) => {
    if (data.type === 'candidate') candidates.push(data.candidate.candidate)
    b.signal(data)
  })
  b.on('signal', (data) => a.signal(data))
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no data channel after ${timeoutMs} ms; candidates: ${candidates.join(' | ')}`)), timeoutMs)
      a.on('error', reject)
      b.on('error', reject)
      a.on('connect', () => a.send('ping'))
      b.on('data', (data: Uint8Array) => {
        clearTimeout(timer)
        resolve({ message: new TextDecoder().decode(data), candidates })
      })
    })
  } finally {
    a.destroy()
    b.destroy()
  }
}

/** Stores `storedPieces` of a random file of `pieces` x 16 KiB pieces as swarm `name`; returns its id. */
async function cacheSwarm(name: string, pieces: number, storedPieces = pieces): Promise<string> {
  const pieceSize = 16 * 1024
  const data = crypto.getRandomValues(new Uint8Array(pieces * pieceSize))
  const manifest = await createManifest({
    name,
    size: data.length,
    pieceSize,
    readPiece: async (_piece, offset, length) => data.subarray(offset, offset + length),
  })
  const id = await manifestId(manifest)
  const store = await IdbChunkStore.open(id, pieces)
  await store.saveManifest(utf8.decode(encodeManifest(manifest)))
  for (let p = 0; p < storedPieces; p++) await store.write(p, data.subarray(p * pieceSize, (p + 1) * pieceSize))
  await store.close()
  return id
}

export const harness = {
  IdbChunkStore,
  saveFile,
  assembleFile,
  createView,
  loopbackPeers,
  cacheSwarm,
  listCachedSwarms,
  removeCachedSwarm,
  evictForCap,
  acquireSwarmLock,
}
export type Harness = typeof harness

;(globalThis as { shoalHarness?: Harness }).shoalHarness = harness
