/**
 * What this origin keeps in IndexedDB, swarm by swarm: listing it, removing a swarm, and
 * evicting the least recently used swarms to honour a cache cap. A swarm some tab is driving
 * (it holds the swarm's Web Lock) is never removed under it.
 */
import { utf8 } from '../core/bytes.ts'
import { ShoalError } from '../core/errors.ts'
import { decodeManifest, pieceLength } from '../core/manifest.ts'
import { ioError, openShoalDb, type ShoalDb } from './idb-db.ts'
import { swarmsInUse } from './swarm-lock.ts'

export interface CachedSwarm {
  swarmId: string
  name: string
  size: number
  storedBytes: number
  complete: boolean
  /** Last opened by a tab, ms since the epoch. */
  updatedAt: number
  /** A tab of this origin is downloading or seeding it right now. */
  inUse: boolean
}

/** Most recently used first. */
export async function listCachedSwarms(): Promise<CachedSwarm[]> {
  const db = await openShoalDb()
  try {
    return await readCache(db)
  } finally {
    db.close()
  }
}

export async function removeCachedSwarm(swarmId: string): Promise<void> {
  if ((await swarmsInUse()).has(swarmId)) {
    throw new ShoalError('BAD_INPUT', 'This file is open in a tab; close that tab first, then remove it.')
  }
  const db = await openShoalDb()
  try {
    await deleteSwarm(db, swarmId)
  } finally {
    db.close()
  }
}

/**
 * Removes least recently used swarms (never `keep`, never one in use) until the cache plus
 * `neededBytes` fits in `capBytes`. Returns the names removed, for the page to mention.
 */
export async function evictForCap(options: { capBytes: number; neededBytes: number; keep: string }): Promise<string[]> {
  const db = await openShoalDb()
  try {
    const cached = await readCache(db)
    let total = cached.reduce((sum, s) => sum + s.storedBytes, 0) + options.neededBytes
    const removed: string[] = []
    for (const swarm of [...cached].reverse()) {
      if (total <= options.capBytes) break
      if (swarm.swarmId === options.keep || swarm.inUse) continue
      await deleteSwarm(db, swarm.swarmId)
      total -= swarm.storedBytes
      removed.push(swarm.name)
    }
    return removed
  } finally {
    db.close()
  }
}

async function readCache(db: ShoalDb): Promise<CachedSwarm[]> {
  const [records, keys, inUse] = await Promise.all([
    db.getAll('swarms').catch((err: unknown) => Promise.reject(ioError('could not list cached files', err))),
    db.getAllKeys('pieces').catch((err: unknown) => Promise.reject(ioError('could not list cached pieces', err))),
    swarmsInUse(),
  ])
  const piecesBySwarm = new Map<string, number[]>()
  for (const [swarmId, piece] of keys) {
    const list = piecesBySwarm.get(swarmId) ?? []
    list.push(piece)
    piecesBySwarm.set(swarmId, list)
  }
  const cached = records.flatMap((record): CachedSwarm[] => {
    let manifest
    try {
      manifest = decodeManifest(utf8.encode(record.manifest))
    } catch {
      return [] // written by this app, so never expected; such a record is skipped, not fatal
    }
    const pieces = piecesBySwarm.get(record.swarmId) ?? []
    return [
      {
        swarmId: record.swarmId,
        name: manifest.name,
        size: manifest.size,
        storedBytes: pieces.reduce((sum, piece) => sum + pieceLength(manifest, piece), 0),
        complete: pieces.length === manifest.pieces.length,
        updatedAt: record.updatedAt,
        inUse: inUse.has(record.swarmId),
      },
    ]
  })
  return cached.sort((a, b) => b.updatedAt - a.updatedAt)
}

/** The swarm's pieces and record go in one transaction: never a record without its pieces' owner. */
async function deleteSwarm(db: ShoalDb, swarmId: string): Promise<void> {
  try {
    const tx = db.transaction(['pieces', 'swarms'], 'readwrite')
    void tx.objectStore('pieces').delete(IDBKeyRange.bound([swarmId, 0], [swarmId, Infinity]))
    void tx.objectStore('swarms').delete(swarmId)
    await tx.done
  } catch (err) {
    throw ioError('could not remove the cached file', err)
  }
}
