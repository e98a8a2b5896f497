/**
 * The share page (`/`): pick or drop a file; a worker hashes it, its manifest is published to
 * the tracker that served the page, and this tab seeds it, reading slices of the File, for as
 * long as the tab stays open. One file per tab: once seeding, the tab is that file's origin.
 */
import { keepPublished } from '../../core/client/keep-published.ts'
import { joinSwarm } from '../../core/client/join-swarm.ts'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import { utf8 } from '../../core/bytes.ts'
import { ShoalError } from '../../core/errors.ts'
import { formatShareLink } from '../../core/link.ts'
import { encodeManifest } from '../../core/manifest.ts'
import { exposeAutomationHook } from '../automation-hook.ts'
import { limitsFromSearch } from '../limit-params.ts'
import { FileChunkStore } from './file-chunk-store.ts'
import { hashInWorker } from './hash-in-worker.ts'
import { createShareView, type ShareView } from './share-view.ts'

/** How often the seeding stats are redrawn. */
const REFRESH_MS = 500

export async function startSharePage(root: HTMLElement, location: Location): Promise<void> {
  const view = createShareView(root)
  view.update({ phase: 'idle' })
  // The view offers a pick only while idle or after an error, so one share runs at a time.
  view.onPick((files) => {
    if (files.length > 1) view.update({ phase: 'error', error: 'Drop one file at a time.' })
    else if (files[0]) void shareFile(files[0], view, location)
  })
}

/** Shares `file` until that fails or the file becomes unreadable; the failure is shown in the view. */
async function shareFile(file: File, view: ShareView, location: Location): Promise<void> {
  const info = { name: file.name, size: file.size }
  let tracker: TrackerClient | undefined
  try {
    if (file.size === 0) throw new ShoalError('BAD_INPUT', `${file.name} is empty: there is nothing to share.`)
    // Checked before hashing: a mistyped limit must not cost a pass over a large file.
    const limits = limitsFromSearch(location.search)
    view.update({ phase: 'hashing', file: info, hashedBytes: 0 })
    const manifest = await hashInWorker(file, (hashedBytes) => view.update({ phase: 'hashing', file: info, hashedBytes }))

    view.update({ phase: 'publishing', file: info })
    tracker = await TrackerClient.connect(location.origin, { token: new URLSearchParams(location.search).get('token') || undefined })
    const manifestJson = utf8.decode(encodeManifest(manifest))
    const id = await tracker.publishManifest(manifestJson)
    // A restarted tracker has forgotten the manifest: publish it again on every reconnect.
    keepPublished(tracker, manifestJson, { onError: (err) => console.warn(`shoal: could not publish the file again: ${String(err)}`) })
    let onUnreadable!: (error: ShoalError) => void
    const unreadable = new Promise<ShoalError>((resolve) => (onUnreadable = resolve))
    const store = new FileChunkStore(file, manifest, { onUnreadable })
    const joined = await joinSwarm({ signaling: tracker, swarmId: id, manifest, store, swarm: limits })
    exposeAutomationHook(window, joined)

    const link = formatShareLink(location.origin, id)
    const render = () => {
      const s = joined.swarm.stats()
      view.update({ phase: 'seeding', file: info, link, peers: s.peers, uploadRate: s.uploadRate, uploadedBytes: s.uploadedBytes })
    }
    render()
    const timer = setInterval(render, REFRESH_MS)
    joined.swarm.on('warning', (w) => console.warn(`shoal: ${w.message}`))
    // Leave politely so peers drop this tab at once instead of waiting for a timeout.
    const leave = () => void joined.leave()
    addEventListener('pagehide', leave)

    // A file that cannot be read any more cannot be served: stop and say so.
    const error = await unreadable
    clearInterval(timer)
    removeEventListener('pagehide', leave)
    await joined.leave()
    throw error
  } catch (err) {
    view.update({ phase: 'error', file: info, error: describe(err, location.origin) })
  } finally {
    tracker?.close()
  }
}

function describe(err: unknown, trackerUrl: string): string {
  if (err instanceof ShoalError) {
    if (err.code === 'TRACKER_UNREACHABLE' || err.code === 'TIMEOUT') {
      return `Could not reach the tracker at ${trackerUrl}, so the file was not shared. Check the connection and pick the file again.`
    }
    if (err.code === 'BAD_MANIFEST') return `This file cannot be shared: its ${err.message}.`
  }
  return err instanceof Error ? err.message : String(err)
}
