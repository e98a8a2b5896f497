/**
 * The engine behind one `<shoal-download>`: the download page's pieces (tracker client, swarm,
 * IndexedDB store, Save) without the page. IndexedDB and Web Locks belong to the page's origin,
 * so on a portal the file is kept in the portal's storage, and two widgets (or a widget and a
 * portal tab) for one file share one copy and one swarm lock.
 */
import { utf8 } from '../../core/bytes.ts'
import { keepPublished } from '../../core/client/keep-published.ts'
import { joinSwarm, type JoinedSwarm } from '../../core/client/join-swarm.ts'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import { Emitter } from '../../core/emitter.ts'
import { ShoalError } from '../../core/errors.ts'
import { encodeManifest, pieceLength, type Manifest } from '../../core/manifest.ts'
import { IdbChunkStore } from '../idb-store.ts'
import { saveFile } from '../save.ts'
import { acquireSwarmLock } from '../swarm-lock.ts'
import { checkTrackerServesOrigin } from './tracker-reach.ts'
import type { WidgetSource } from './widget-source.ts'

/**
 * idle: the file is known, nothing fetched (no autostart); waiting: another tab or widget of this
 * origin drives this file; seeding: complete, still serving peers.
 */
export type WidgetState = 'connecting' | 'idle' | 'waiting' | 'downloading' | 'paused' | 'seeding' | 'error'

/** What `stats()` returns and `shoal-progress` carries. */
export interface WidgetStats {
  state: WidgetState
  name: string | undefined
  size: number | undefined
  verifiedBytes: number
  /** 0 to 1. */
  progress: number
  /** Bytes per second. */
  downloadRate: number
  uploadRate: number
  peers: number
  /** Piece bytes received over WebRTC in this session. */
  downloadedBytes: number
  /** Of those, bytes from peers that were still downloading themselves (not from a seed such as the publisher). */
  downloadedFromPeers: number
  /** downloadedFromPeers / downloadedBytes, 0 before anything arrived. */
  peerShare: number
  uploadedBytes: number
  complete: boolean
}

export type WidgetDownloadEvents = {
  /** Something in stats() changed: the state, or a piece arrived. */
  progress: []
  /** Fired once, when the file is whole (at once if it was stored already). */
  complete: []
  error: [ShoalError]
}

export class WidgetDownload extends Emitter<WidgetDownloadEvents> {
  readonly #source: WidgetSource
  #state: WidgetState = 'connecting'
  #tracker: TrackerClient | undefined
  #manifest: Manifest | undefined
  #store: IdbChunkStore | undefined
  #joined: JoinedSwarm | undefined
  #prepared: Promise<void> | undefined
  #joining: Promise<void> | undefined
  #completed = false
  #closed = false
  readonly #abort = new AbortController()
  #stopPublishing: (() => void) | undefined

  constructor(source: WidgetSource) {
    super()
    this.#source = source
  }

  get manifest(): Manifest | undefined {
    return this.#manifest
  }

  /** Connects and fetches the manifest (name and size), without downloading. */
  prepare(): Promise<void> {
    return (this.#prepared ??= this.#guard(async () => {
      const { trackerUrl, swarmId, token } = this.#source
      await checkTrackerServesOrigin(trackerUrl, location.origin, this.#abort.signal)
      this.#tracker = await TrackerClient.connect(trackerUrl, { token, signal: this.#abort.signal })
      this.#manifest = await this.#tracker.fetchManifest(swarmId)
      this.#setState('idle')
    }))
  }

  /** Starts (or resumes) the download; seeding follows while the page is open. */
  async start(): Promise<void> {
    await this.prepare()
    if (this.#joined) {
      this.#joined.swarm.resume()
      return
    }
    await (this.#joining ??= this.#guard(() => this.#join()))
  }

  /** Stops fetching; what is stored stays stored and is still served to peers. */
  pause(): void {
    this.#joined?.swarm.pause()
  }

  stats(): WidgetStats {
    const s = this.#joined?.swarm.stats()
    const size = this.#manifest?.size
    const verifiedBytes = s?.verifiedBytes ?? 0
    const downloadedBytes = s?.downloadedBytes ?? 0
    const downloadedFromPeers = downloadedBytes - (s?.downloadedFromSeeds ?? 0)
    return {
      state: this.#state,
      name: this.#manifest?.name,
      size,
      verifiedBytes,
      progress: size ? verifiedBytes / size : s?.complete ? 1 : 0,
      downloadRate: s?.downloadRate ?? 0,
      uploadRate: s?.uploadRate ?? 0,
      peers: s?.peers ?? 0,
      downloadedBytes,
      downloadedFromPeers,
      peerShare: downloadedBytes > 0 ? downloadedFromPeers / downloadedBytes : 0,
      uploadedBytes: s?.uploadedBytes ?? 0,
      complete: s?.complete ?? false,
    }
  }

  /** Hands the finished file to the user: a save picker, else a download of a Blob. */
  async save(): Promise<void> {
    const manifest = this.#manifest
    if (!manifest || !this.#store) throw new ShoalError('NOT_FOUND', 'the file is not downloaded yet')
    await saveFile(this.#store, manifest.name, manifest.pieces.length, (piece) => pieceLength(manifest, piece))
  }

  /** Leaves the swarm and the tracker; the stored file stays in this origin's storage. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#abort.abort()
    this.#stopPublishing?.()
    await this.#joined?.leave()
    this.#tracker?.close()
    this.removeAllListeners()
  }

  async #join(): Promise<void> {
    const tracker = this.#tracker!
    const manifest = this.#manifest!
    const { swarmId, limits } = this.#source
    await acquireSwarmLock(swarmId, () => this.#setState('waiting'))
    if (this.#closed) return
    const store = await IdbChunkStore.open(swarmId, manifest.pieces.length)
    this.#store = store
    const manifestJson = utf8.decode(encodeManifest(manifest))
    await store.saveManifest(manifestJson)
    // Any holder may publish it again after a tracker restart (its id is its hash).
    this.#stopPublishing = keepPublished(tracker, manifestJson, {
      onError: (err) => console.warn(`shoal: could not publish ${manifest.name} again: ${String(err)}`),
    })
    const joined = await joinSwarm({ signaling: tracker, swarmId, manifest, store, swarm: limits })
    if (this.#closed) {
      await joined.leave()
      return
    }
    this.#joined = joined
    const swarm = joined.swarm
    swarm.on('piece', () => this.emit('progress'))
    swarm.on('complete', () => this.#complete())
    swarm.on('paused', () => this.#setState('paused'))
    swarm.on('resumed', () => this.#setState('downloading'))
    swarm.on('warning', (w) => console.warn(`shoal: ${w.message}`))
    // The swarm has paused itself (state `paused`); start() resumes once there is room.
    swarm.on('store-failed', (error) => this.emit('error', error))
    if (swarm.complete) this.#complete()
    else this.#setState('downloading')
  }

  #complete(): void {
    if (this.#completed) return
    this.#completed = true
    this.#setState('seeding')
    this.emit('complete')
  }

  #setState(state: WidgetState): void {
    if (this.#closed) return
    this.#state = state
    this.emit('progress')
  }

  #fail(error: ShoalError): void {
    if (this.#closed) return
    this.#state = 'error'
    this.emit('error', error)
  }

  /** Runs `step`, turning its failure into one `error` event (and a rejection for the caller). */
  async #guard(step: () => Promise<void>): Promise<void> {
    try {
      await step()
    } catch (err) {
      const error = asShoalError(err)
      if (!this.#closed) this.#fail(error)
      throw error
    }
  }
}

export function asShoalError(err: unknown): ShoalError {
  return err instanceof ShoalError ? err : new ShoalError('IO', err instanceof Error ? err.message : String(err), { cause: err })
}
