import type { BandwidthLimiters } from '../../core/bandwidth-limits.ts'
import { keepPublished } from '../../core/client/keep-published.ts'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import { utf8 } from '../../core/bytes.ts'
import { formatShareLink, normalizeTrackerUrl } from '../../core/link.ts'
import { encodeManifest } from '../../core/manifest.ts'
import { explainAdmission, tokenSource } from '../admission.ts'
import type { AdmissionFlags } from '../admission.ts'
import { FileChunkStore } from '../file-store.ts'
import { formatBytes } from '../../core/format.ts'
import { manifestOfFile } from '../hash.ts'
import { joinAsNodePeer } from '../node-peer.ts'
import type { Reporter } from '../reporter.ts'
import { reportWhileSeeding } from '../seeding-status.ts'

export interface SeedOptions {
  tracker: string
  /** Bandwidth caps for this process (see bandwidthLimiters). */
  limits?: BandwidthLimiters
  /** Overrides choosePieceSize. */
  pieceSize?: number
  /** For a private tracker: a join token for this file's id, or the secret to mint one. */
  admission?: AdmissionFlags
}

/** Hashes the file, publishes its manifest, and serves its pieces from disk until terminated. */
export async function seed(file: string, options: SeedOptions, reporter: Reporter, signal: AbortSignal): Promise<void> {
  const trackerUrl = normalizeTrackerUrl(options.tracker)
  // Before hashing: a short secret must not cost a pass over a many-GB file.
  const token = tokenSource(options.admission ?? {})
  const manifest = await manifestOfFile(file, {
    pieceSize: options.pieceSize,
    onProgress: (done, total) => reporter.progress({ label: 'hashing', done, total }),
    signal,
  })
  reporter.endProgress()
  const tracker = await TrackerClient.connect(trackerUrl, { token })
  try {
    const manifestJson = utf8.decode(encodeManifest(manifest))
    const id = await explainAdmission(
      tracker.publishManifest(manifestJson),
      "pass --token <a join token for this file's id>, or --secret <the tracker's auth secret>",
    )
    // A restarted tracker has forgotten the manifest; the peer connector re-announces by itself.
    keepPublished(tracker, manifestJson)
    const store = await FileChunkStore.openForSeeding(file, manifest)
    const joined = await joinAsNodePeer(tracker, id, manifest, store, options.limits)
    const link = formatShareLink(trackerUrl, id)
    reporter.event(
      'seeding',
      { id, link, name: manifest.name, size: manifest.size, peerId: joined.peerId },
      `Seeding ${manifest.name} (${formatBytes(manifest.size)}). Share link:\n${link}`,
    )
    await reportWhileSeeding(joined.swarm, reporter, signal)
    const { uploadedBytes } = joined.swarm.stats()
    await joined.leave()
    await store.close()
    reporter.event('stopped', { uploaded: uploadedBytes }, `Stopped seeding; uploaded ${formatBytes(uploadedBytes)}.`)
  } finally {
    tracker.close()
  }
}
