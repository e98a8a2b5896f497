/**
 * The download page (`/s/<id>`): reads the swarm id from `/s/<id>`, fetches and verifies the manifest from
 * the tracker that served the page, downloads into IndexedDB over WebRTC, and keeps seeding
 * while the tab is open.
 */
import { joinSwarm, type JoinedSwarm } from '../core/client/join-swarm.ts'
import { TrackerClient } from '../core/client/tracker-client.ts'
import { utf8 } from '../core/bytes.ts'
import { ShoalError } from '../core/errors.ts'
import { encodeManifest, isContentId, pieceLength, type Manifest } from '../core/manifest.ts'
import { exposeAutomationHook } from './automation-hook.ts'
import { IdbChunkStore } from './idb-store.ts'
import { limitsFromSearch } from './limit-params.ts'
import { saveFile } from './save.ts'
import type { View } from './view.ts'

/** How often the page redraws progress. */
const REFRESH_MS = 500

/** The swarm id of a share link path, `/s/<id>`. */
export function swarmIdFromPath(pathname: string): string | undefined {
  const match = /^\/s\/([0-9a-f]{64})\/?$/.exec(pathname)
  return match && isContentId(match[1]!) ? match[1] : undefined
}

export interface RunningApp {
  joined: JoinedSwarm
  manifest: Manifest
}

export async function startDownloadPage(view: View, location: Location): Promise<RunningApp | undefined> {
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
    const tracker = await TrackerClient.connect(location.origin)
    const manifest = await tracker.fetchManifest(id)
    const store = await IdbChunkStore.open(id, manifest.pieces.length)
    await store.saveManifest(utf8.decode(encodeManifest(manifest)))
    const joined = await joinSwarm({ signaling: tracker, swarmId: id, manifest, store, swarm: limits })
    exposeAutomationHook(window, joined)
    const render = () => {
      const s = joined.swarm.stats()
      view.update({
        name: manifest.name,
        size: manifest.size,
        verifiedBytes: s.verifiedBytes,
        totalBytes: s.size,
        downloadRate: s.downloadRate,
        uploadRate: s.uploadRate,
        peers: s.peers,
        status: s.complete ? 'seeding' : 'downloading',
      })
    }
    render()
    setInterval(render, REFRESH_MS)
    joined.swarm.on('piece', render)
    joined.swarm.on('warning', (w) => console.warn(`shoal: ${w.message}`))
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

function describe(err: unknown): string {
  if (err instanceof ShoalError && err.code === 'NOT_FOUND') return 'This link names a file the tracker does not know.'
  return err instanceof Error ? err.message : String(err)
}
