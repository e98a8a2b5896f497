import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import type { BandwidthLimiters } from '../../core/bandwidth-limits.ts'
import type { JoinedSwarm } from '../../core/client/join-swarm.ts'
import { keepPublished } from '../../core/client/keep-published.ts'
import { utf8 } from '../../core/bytes.ts'
import { ShoalError } from '../../core/errors.ts'
import { formatShareLink, parseShareLink } from '../../core/link.ts'
import { explainAdmission } from '../admission.ts'
import { encodeManifest } from '../../core/manifest.ts'
import type { Manifest } from '../../core/manifest.ts'
import type { Swarm } from '../../core/swarm.ts'
import { FileChunkStore } from '../file-store.ts'
import { formatBytes } from '../../core/format.ts'
import { sha256File } from '../hash.ts'
import { joinAsNodePeer } from '../node-peer.ts'
import type { Reporter } from '../reporter.ts'
import { reportWhileSeeding } from '../seeding-status.ts'

export interface GetOptions {
  output?: string
  tracker?: string
  /** Give up when no piece arrives for this long. */
  timeoutSeconds: number
  /** Bandwidth caps for this process (see bandwidthLimiters). */
  limits?: BandwidthLimiters
  /** After `done`, go on serving the finished file until terminated. */
  keepSeeding?: boolean
  /** A join token for the swarm, for a private tracker. */
  token?: string
}

const PROGRESS_INTERVAL_MS = 250

/**
 * Downloads the file behind a share link, verifying every piece; resumes a partial download.
 * With keepSeeding the same swarm (same connections, same store, now over the renamed file)
 * goes on serving after `done` until the signal fires, then reports `stopped`.
 */
export async function get(link: string, options: GetOptions, reporter: Reporter, signal: AbortSignal): Promise<void> {
  const { trackerUrl, id } = parseShareLink(link, options.tracker)
  const tracker = await TrackerClient.connect(trackerUrl, { token: options.token })
  try {
    const manifest = await explainAdmission(tracker.fetchManifest(id), 'ask whoever shared the link for a join token and pass it with --token')
    // After a tracker restart this peer puts the manifest back, so newcomers can still open the
    // link (a verified manifest re-encodes to the very bytes of its id).
    keepPublished(tracker, utf8.decode(encodeManifest(manifest)))
    const target = await outputPath(manifest, options.output)
    const store = await FileChunkStore.openForDownload(target, manifest, (done, total) =>
      reporter.progress({ label: 'checking', done, total }),
    )
    let joined: JoinedSwarm | undefined
    try {
      // A resumed download that is already whole needs no swarm, unless it is to seed.
      if (!store.verified.complete || options.keepSeeding) {
        joined = await joinAsNodePeer(tracker, id, manifest, store, options.limits)
        await untilComplete(joined.swarm, options.timeoutSeconds * 1000, reporter, signal)
      }
      reporter.endProgress()
      await store.finish(target)
      // Counted by this run's swarm only: a resumed download reports what it fetched this time.
      const traffic = () => {
        const s = joined?.swarm.stats()
        return { downloaded: s?.downloadedBytes ?? 0, uploaded: s?.uploadedBytes ?? 0 }
      }
      const sha256 = await sha256File(target)
      reporter.event(
        'done',
        { path: target, sha256, size: manifest.size, ...traffic() },
        `Saved ${target} (${formatBytes(manifest.size)})\nsha256 ${sha256}`,
      )
      if (options.keepSeeding) {
        const shareLink = formatShareLink(trackerUrl, id)
        reporter.event(
          'seeding',
          { id, link: shareLink, name: manifest.name, size: manifest.size, peerId: joined?.peerId, path: target },
          `Seeding it until interrupted (Ctrl-C to stop). Share link:\n${shareLink}`,
        )
        // keepSeeding always joins the swarm (above), even for a file already whole.
        await reportWhileSeeding(joined!.swarm, reporter, signal)
        const { uploaded } = traffic()
        await joined?.leave()
        joined = undefined
        reporter.event('stopped', { uploaded }, `Stopped seeding; uploaded ${formatBytes(uploaded)} in all.`)
      }
    } finally {
      await joined?.leave()
      await store.close()
    }
  } finally {
    tracker.close()
  }
}

/** `-o` may name a file or an existing directory; by default the manifest's name in the cwd. */
async function outputPath(manifest: Manifest, output: string | undefined): Promise<string> {
  let target = resolve(output ?? manifest.name)
  const existing = await stat(target).catch(() => undefined)
  if (existing?.isDirectory()) {
    target = join(target, manifest.name)
    if (await stat(target).catch(() => undefined)) throw exists(target)
  } else if (existing) {
    throw exists(target)
  }
  return target
}

function exists(path: string): ShoalError {
  return new ShoalError('BAD_INPUT', `${path} already exists; remove it or choose another path with -o`)
}

function untilComplete(swarm: Swarm, noProgressTimeoutMs: number, reporter: Reporter, signal: AbortSignal): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let lastPieceAt = Date.now()
    const report = () => {
      const s = swarm.stats()
      reporter.progress({
        label: 'downloading',
        done: s.verifiedBytes,
        total: s.size,
        rate: s.downloadRate,
        peers: s.peers,
        fromSeeds: s.downloadedFromSeeds,
        fromPeers: s.downloadedBytes - s.downloadedFromSeeds,
      })
    }
    const timer = setInterval(() => {
      report()
      if (Date.now() - lastPieceAt > noProgressTimeoutMs) {
        finish()
        const peers = swarm.stats().peers
        reject(
          new ShoalError(
            'NO_PEERS',
            peers === 0
              ? `no peer with this file could be reached within ${noProgressTimeoutMs / 1000} s; is anyone seeding it?`
              : `no data arrived from ${peers} connected peer(s) within ${noProgressTimeoutMs / 1000} s`,
          ),
        )
      }
    }, PROGRESS_INTERVAL_MS)
    const offPiece = swarm.on('piece', () => (lastPieceAt = Date.now()))
    // A disk that cannot take more pieces ends the run; what was written is kept for a resume.
    const offStoreFailed = swarm.on('store-failed', (error) => {
      finish()
      reject(new ShoalError(error.code, `${error.message}; verified pieces are kept, free some space and run the same command again`))
    })
    const offComplete = swarm.on('complete', () => {
      finish()
      report()
      resolvePromise()
    })
    const onAbort = () => {
      finish()
      reject(new ShoalError('ABORTED', 'interrupted; verified pieces are kept, run the same command again to resume'))
    }
    const finish = () => {
      clearInterval(timer)
      offPiece()
      offStoreFailed()
      offComplete()
      signal.removeEventListener('abort', onAbort)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    if (swarm.complete) {
      finish()
      resolvePromise()
    }
  })
}
