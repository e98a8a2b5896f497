import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import { joinSwarm } from '../../core/client/join-swarm.ts'
import { ShoalError } from '../../core/errors.ts'
import { parseShareLink } from '../../core/link.ts'
import type { Manifest } from '../../core/manifest.ts'
import type { Swarm } from '../../core/swarm.ts'
import { FileChunkStore } from '../file-store.ts'
import { formatBytes } from '../../core/format.ts'
import { sha256File, sha256HexNode } from '../hash.ts'
import type { Reporter } from '../reporter.ts'
import { loadWrtc } from '../wrtc.ts'

export interface GetOptions {
  output?: string
  tracker?: string
  /** Give up when no piece arrives for this long. */
  timeoutSeconds: number
}

const PROGRESS_INTERVAL_MS = 250

/** Downloads the file behind a share link, verifying every piece; resumes a partial download. */
export async function get(link: string, options: GetOptions, reporter: Reporter, signal: AbortSignal): Promise<void> {
  const { trackerUrl, id } = parseShareLink(link, options.tracker)
  const tracker = await TrackerClient.connect(trackerUrl)
  try {
    const manifest = await tracker.fetchManifest(id)
    const target = await outputPath(manifest, options.output)
    const store = await FileChunkStore.openForDownload(target, manifest, (done, total) =>
      reporter.progress({ label: 'checking', done, total }),
    )
    let downloaded = 0
    let uploaded = 0
    try {
      if (!store.verified.complete) {
        const joined = await joinSwarm({ signaling: tracker, swarmId: id, manifest, store, wrtc: loadWrtc(), swarm: { hashPiece: sha256HexNode } })
        try {
          await untilComplete(joined.swarm, options.timeoutSeconds * 1000, reporter, signal)
        } finally {
          ;({ downloadedBytes: downloaded, uploadedBytes: uploaded } = joined.swarm.stats())
          await joined.leave()
        }
      }
      reporter.endProgress()
      await store.finish(target)
    } finally {
      await store.close()
    }
    const sha256 = await sha256File(target)
    reporter.event(
      'done',
      { path: target, sha256, size: manifest.size, downloaded, uploaded },
      `Saved ${target} (${formatBytes(manifest.size)})\nsha256 ${sha256}`,
    )
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
      reporter.progress({ label: 'downloading', done: s.verifiedBytes, total: s.size, rate: s.downloadRate, peers: s.peers })
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
