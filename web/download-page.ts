/**
 * The download page (`/s/<id>`): reads the swarm id from `/s/<id>`, fetches and verifies the manifest from
 * the tracker that served the page, downloads into IndexedDB over WebRTC, and keeps seeding
 * while the tab is open.
 */
import { keepPublished } from '../core/client/keep-published.ts'
import { joinSwarm, type JoinedSwarm } from '../core/client/join-swarm.ts'
import { TrackerClient } from '../core/client/tracker-client.ts'
import { utf8 } from '../core/bytes.ts'
import { ShoalError } from '../core/errors.ts'
import { encodeManifest, isContentId, pieceLength, type Manifest } from '../core/manifest.ts'
import { formatBytes } from '../core/format.ts'
import { exposeAutomationHook } from './automation-hook.ts'
import { mountCachedFiles } from './cached-files-view.ts'
import { evictForCap } from './cached-swarms.ts'
import { IdbChunkStore } from './idb-store.ts'
import { cacheLimitFromSearch, limitsFromSearch } from './limit-params.ts'
import { saveFile } from './save.ts'
import { requestPersistentStorage, storageSpace } from './storage-space.ts'
import { acquireSwarmLock } from './swarm-lock.ts'
import type { StorageLine, View } from './view.ts'

/** How often the page redraws progress. */
const REFRESH_MS = 500
/** How often the storage line re-reads the quota (an estimate: cheap, but not free). */
const STORAGE_REFRESH_MS = 5_000

/** The swarm id of a share link path, `/s/<id>`. */
export function swarmIdFromPath(pathname: string): string | undefined {
  const match = /^\/s\/([0-9a-f]{64})\/?$/.exec(pathname)
  return match && isContentId(match[1]!) ? match[1] : undefined
}

export interface RunningApp {
  joined: JoinedSwarm
  manifest: Manifest
}

/** `cachedFilesRoot` receives the "files kept in this browser" list once the swarm is joined. */
export async function startDownloadPage(view: View, location: Location, cachedFilesRoot: HTMLElement): Promise<RunningApp | undefined> {
  const idle = { verifiedBytes: 0, totalBytes: 0, downloadRate: 0, uploadRate: 0, peers: 0 }
  const id = swarmIdFromPath(location.pathname)
  if (!id) {
    view.update({ ...idle, status: 'error', error: 'Open a share link (…/s/<id>) to download a file.' })
    return undefined
  }
  view.update({ ...idle, status: 'connecting' })
  try {
    // Checked before connecting: a tab with a mistyped limit must not start unlimited.
    const limits = limitsFromSearch(location.search)
    const cacheLimit = cacheLimitFromSearch(location.search)
    void requestPersistentStorage()
    const tracker = await TrackerClient.connect(location.origin, { token: new URLSearchParams(location.search).get('token') || undefined })
    const manifest = await tracker.fetchManifest(id)
    const file = { name: manifest.name, size: manifest.size, totalBytes: manifest.size }
    await acquireSwarmLock(id, () => view.update({ ...idle, ...file, status: 'waiting' }))
    const store = await IdbChunkStore.open(id, manifest.pieces.length)
    const manifestJson = utf8.decode(encodeManifest(manifest))
    await store.saveManifest(manifestJson)
    // Any holder may publish it again after a tracker restart (its id is its hash).
    keepPublished(tracker, manifestJson, { onError: (err) => console.warn(`shoal: could not publish the file again: ${String(err)}`) })
    if (cacheLimit !== undefined) await makeRoom(cacheLimit, manifest, store)
    const joined = await joinSwarm({ signaling: tracker, swarmId: id, manifest, store, swarm: limits })
    exposeAutomationHook(window, joined)
    const cachedFiles = mountCachedFiles(cachedFilesRoot)
    let storage: StorageLine | undefined
    let storeError: string | undefined
    const render = () => {
      const s = joined.swarm.stats()
      view.update({
        ...file,
        verifiedBytes: s.verifiedBytes,
        downloadRate: s.downloadRate,
        uploadRate: s.uploadRate,
        peers: s.peers,
        status: s.complete ? 'seeding' : s.paused ? 'paused' : 'downloading',
        ...(s.paused && storeError ? { error: storeError } : {}),
        ...(storage && !s.complete ? { storage } : {}),
      })
    }
    const measureStorage = async () => {
      const space = await storageSpace()
      const needed = manifest.size - joined.swarm.stats().verifiedBytes
      storage = space && { ...space, needed }
    }
    await measureStorage()
    render()
    setInterval(render, REFRESH_MS)
    setInterval(() => void measureStorage(), STORAGE_REFRESH_MS)
    joined.swarm.on('piece', render)
    joined.swarm.on('complete', () => void cachedFiles.refresh())
    joined.swarm.on('warning', (w) => console.warn(`shoal: ${w.message}`))
    // A full quota pauses the swarm (core/swarm.ts); the page says why and offers Resume.
    joined.swarm.on('store-failed', (error) => {
      storeError = error.code === 'STORAGE_FULL' ? error.message : `Could not store the download: ${error.message}`
      void measureStorage().then(render)
    })
    view.onResume(() => {
      storeError = undefined
      joined.swarm.resume()
      render()
    })
    view.onSave(() => {
      saveFile(store, manifest.name, manifest.pieces.length, (piece) => pieceLength(manifest, piece)).catch((err: unknown) =>
        view.update({ ...idle, status: 'error', error: describe(err) }),
      )
    })
    // Leave politely so peers drop this tab at once instead of waiting for a timeout.
    addEventListener('pagehide', () => void joined.leave())
    return { joined, manifest }
  } catch (err) {
    view.update({ ...idle, status: 'error', error: describe(err) })
    return undefined
  }
}

/** Evicts least recently used swarms so this one fits under the page's cache limit. */
async function makeRoom(capBytes: number, manifest: Manifest, store: IdbChunkStore): Promise<void> {
  if (manifest.size > capBytes) {
    throw new ShoalError('STORAGE_FULL', `This file (${formatBytes(manifest.size)}) is bigger than the page's cache limit (${formatBytes(capBytes)}).`)
  }
  let stored = 0
  for (const piece of store.verified.indices()) stored += pieceLength(manifest, piece)
  const removed = await evictForCap({ capBytes, neededBytes: manifest.size - stored, keep: store.swarmId })
  if (removed.length > 0) console.info(`shoal: removed ${removed.join(', ')} from this browser to stay under the cache limit`)
}

function describe(err: unknown): string {
  if (err instanceof ShoalError && err.code === 'NOT_FOUND') return 'This link names a file the tracker does not know.'
  return err instanceof Error ? err.message : String(err)
}
