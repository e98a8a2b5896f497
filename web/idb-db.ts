/**
 * The browser's IndexedDB database: its schema, how to open it, and how its failures become
 * ShoalErrors a user can act on. Shared by the piece store and anything that lists swarms.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { ShoalError } from '../core/errors.ts'

export const DB_NAME = 'shoal'
const DB_VERSION = 1

export interface SwarmRecord {
  swarmId: string
  /** The manifest's canonical JSON, so a reload can resume without asking the tracker. */
  manifest: string
  /** Milliseconds since the epoch; lets a future cleanup drop the oldest swarms first. */
  updatedAt: number
}

export interface ShoalSchema extends DBSchema {
  /**
   * One record per verified piece, keyed [swarmId, piece]. A whole piece per record (not
   * 16 KiB rows, which made WebTorrent's store slow) and as a Blob, which Chromium keeps on
   * disk rather than in the tab's memory.
   */
  pieces: { key: [string, number]; value: Blob }
  swarms: { key: string; value: SwarmRecord }
}

export type ShoalDb = IDBPDatabase<ShoalSchema>

export async function openShoalDb(): Promise<ShoalDb> {
  if (typeof indexedDB === 'undefined') {
    throw new ShoalError('IO', 'This browser offers no IndexedDB storage (private browsing may disable it), so Shoal cannot keep the file.')
  }
  try {
    const db = await openDB<ShoalSchema>(DB_NAME, DB_VERSION, {
      upgrade(db) {
        if (!db.objectStoreNames.contains('pieces')) db.createObjectStore('pieces')
        if (!db.objectStoreNames.contains('swarms')) db.createObjectStore('swarms', { keyPath: 'swarmId' })
      },
    })
    // A newer version of the app in another tab wants to upgrade: let it, rather than block it.
    db.addEventListener('versionchange', () => db.close())
    return db
  } catch (err) {
    throw ioError('could not open the browser database', err)
  }
}

/** Wraps an IndexedDB failure; a full disk or exhausted quota gets a message saying so. */
export function ioError(doing: string, err: unknown): ShoalError {
  if (err instanceof ShoalError) return err
  const name = err instanceof Error || err instanceof DOMException ? err.name : ''
  if (name === 'QuotaExceededError') {
    return new ShoalError('STORAGE_FULL', 'Browser storage is full: free some disk space or remove cached files, then resume.', { cause: err })
  }
  const detail = err instanceof Error || err instanceof DOMException ? err.message : String(err)
  return new ShoalError('IO', `Browser storage failed: ${doing}${detail ? ` (${detail})` : ''}.`, { cause: err })
}
