/**
 * One end of the link benchmark; the same code runs in Node (@roamhq/wrtc) and in the bench
 * page (Chromium's WebRTC). It opens simple-peer connections (signals leave through
 * `onSignal`, arrive through signal()), then moves a dataset over one of them either raw (the
 * RTCDataChannel under simple-peer and nothing else) or through the real engine (a seeding and
 * a leeching Swarm over SimplePeerTransport), and times the receiving end. Every method takes
 * and returns plain data, so the page's lab can be driven through page.evaluate.
 */
import SimplePeer from 'simple-peer'
import { utf8 } from '../../../core/bytes.ts'
import { MemoryChunkStore } from '../../../core/chunk-store.ts'
import { SimplePeerTransport } from '../../../core/client/simple-peer-transport.ts'
import { type Manifest, createManifest, decodeManifest, encodeManifest, manifestId } from '../../../core/manifest.ts'
import type { IncrementalHash } from '../../../core/piece-download.ts'
import { Swarm, type SwarmOptions } from '../../../core/swarm.ts'

export type SignalSink = (key: string, data: unknown) => void

/** Messages at least this big are blocks (a block frame is 64 KiB + 13 bytes, the last one may be shorter). */
const FIRST_BLOCK_MIN_BYTES = 1024

export interface LabOptions {
  onSignal: SignalSink
  /** Node's WebRTC implementation; browsers use their own. */
  wrtc?: unknown
  /** Piece hashing for the engine and the manifest (Node passes its native SHA-256, like the CLI). */
  hashPiece?: (data: Uint8Array) => Promise<string>
  /** A running hash for the engine to hash blocks on arrival (Node, like the CLI). */
  incrementalHash?: () => IncrementalHash
}

export interface DatasetInfo {
  size: number
  pieceSize: number
  /** Canonical manifest JSON, for the leecher. */
  manifest: string
  /** Its id, to compare with the leecher's re-hash of what it stored. */
  id: string
}

export interface RawSendOptions {
  messageSize: number
  /** Never let the channel's bufferedAmount exceed this (plus one message). */
  maxBuffered: number
  /** @roamhq/wrtc has no bufferedamountlow event, so every pair polls bufferedAmount. */
  pollMs: number
}

export interface RawReceipt {
  bytes: number
  messages: number
  /** From the first message to the last. */
  ms: number
  /** Bytes that arrived after the first message, i.e. within `ms`. */
  timedBytes: number
}

export interface LeechReceipt {
  bytes: number
  /**
   * Timed like the raw channel: from the first block's arrival to 'complete' (the last piece
   * verified), over the bytes after that first block.
   */
  ms: number
  timedBytes: number
  /** From handing the connection to the Swarm to its first block: handshake and first request. */
  setupMs: number
  pieceCount: number
  verifiedPieces: number
  warnings: string[]
}

const CONNECT_TIMEOUT_MS = 30_000
const TRANSFER_TIMEOUT_MS = 300_000

/** The parts of simple-peer's RTCDataChannel (browser or wrtc) the raw path uses directly. */
interface RawChannel {
  readonly bufferedAmount: number
  send(data: Uint8Array): void
  onmessage: ((event: { data: ArrayBuffer }) => void) | null
}

interface Link {
  peer: SimplePeer.Instance
  connected: Promise<void>
  swarm?: Swarm
  received?: Promise<RawReceipt>
  /** What leech() stored, for storedId(). */
  leeched?: { manifest: Manifest; store: MemoryChunkStore }
}

interface Dataset {
  info: DatasetInfo
  data: Uint8Array
  manifest: Manifest
  swarmId: string
  store: MemoryChunkStore
}

export class LinkLab {
  readonly #options: LabOptions
  readonly #links = new Map<string, Link>()
  #dataset: Dataset | undefined

  constructor(options: LabOptions) {
    this.#options = options
  }

  /** Random bytes, their manifest and a seeding store; the raw sender sends the same bytes. */
  async prepare(size: number, pieceSize: number): Promise<DatasetInfo> {
    const data = new Uint8Array(size)
    // getRandomValues fills at most 64 KiB per call.
    for (let offset = 0; offset < size; offset += 65536) globalThis.crypto.getRandomValues(data.subarray(offset, offset + 65536))
    const hashPiece = this.#options.hashPiece
    const manifest = await createManifest({
      name: 'link-bench.bin',
      size,
      pieceSize,
      readPiece: async (_index, offset, length) => data.subarray(offset, offset + length),
      ...(hashPiece ? { hashPiece } : {}),
    })
    const swarmId = await manifestId(manifest)
    const info = { size, pieceSize, manifest: utf8.decode(encodeManifest(manifest)), id: swarmId }
    this.#dataset = { info, data, manifest, swarmId, store: MemoryChunkStore.from(data, pieceSize) }
    return info
  }

  async open(key: string, initiator: boolean): Promise<void> {
    if (this.#links.has(key)) throw new Error(`link ${key} is already open`)
    const peer = new SimplePeer({
      initiator,
      trickle: true,
      config: { iceServers: [] },
      ...(this.#options.wrtc ? { wrtc: this.#options.wrtc as SimplePeer.Options['wrtc'] } : {}),
    })
    const connected = new Promise<void>((resolve, reject) => {
      peer.once('connect', () => resolve())
      peer.once('close', () => reject(new Error(`link ${key} closed before it connected`)))
    })
    connected.catch(() => undefined)
    // Without an 'error' listener simple-peer's errors would be thrown; they end in 'close'.
    peer.on('error', () => undefined)
    peer.on('signal', (data) => this.#options.onSignal(key, data))
    this.#links.set(key, { peer, connected })
  }

  async signal(key: string, data: unknown): Promise<void> {
    this.#link(key).peer.signal(data as SimplePeer.SignalData)
  }

  async connected(key: string): Promise<void> {
    await withTimeout(this.#link(key).connected, CONNECT_TIMEOUT_MS, `link ${key} did not connect`)
  }

  async close(key: string): Promise<void> {
    const link = this.#links.get(key)
    if (!link) return
    this.#links.delete(key)
    // Goodbyes first: a channel closed under a remote that is still sending can crash wrtc.
    await link.swarm?.destroy()
    link.peer.destroy()
  }

  /** Takes the channel's messages away from simple-peer and counts them until `total` bytes. */
  async rawExpect(key: string, total: number): Promise<void> {
    const link = this.#link(key)
    const channel = rawChannel(link.peer)
    link.received = withTimeout(
      new Promise<RawReceipt>((resolve, reject) => {
        let bytes = 0
        let messages = 0
        let first = 0
        let firstBytes = 0
        channel.onmessage = (event) => {
          const now = performance.now()
          const length = event.data.byteLength
          if (messages === 0) {
            first = now
            firstBytes = length
          }
          messages++
          bytes += length
          if (bytes >= total) {
            channel.onmessage = null
            resolve({ bytes, messages, ms: now - first, timedBytes: bytes - firstBytes })
          }
        }
        link.peer.once('close', () => reject(new Error(`link ${key} closed after ${bytes} of ${total} bytes`)))
      }),
      TRANSFER_TIMEOUT_MS,
      `raw receive on ${key} timed out`,
    )
    link.received.catch(() => undefined)
  }

  /** Sends the dataset straight into the data channel, as fast as the buffer cap allows. */
  async rawSend(key: string, options: RawSendOptions): Promise<void> {
    const channel = rawChannel(this.#link(key).peer)
    const { data } = this.#requireDataset()
    for (let offset = 0; offset < data.length; ) {
      if (channel.bufferedAmount >= options.maxBuffered) {
        await sleep(options.pollMs)
        if (!this.#links.has(key)) throw new Error(`link ${key} closed while sending`)
        continue
      }
      const end = Math.min(offset + options.messageSize, data.length)
      channel.send(data.subarray(offset, end))
      offset = end
    }
  }

  async rawReceived(key: string): Promise<RawReceipt> {
    const received = this.#link(key).received
    if (!received) throw new Error(`rawExpect(${key}) was not called`)
    return received
  }

  /** Serves the dataset over `key` with a seeding Swarm until the link closes. */
  async seed(key: string): Promise<void> {
    const link = this.#link(key)
    const { manifest, swarmId, store } = this.#requireDataset()
    link.swarm = new Swarm({ swarmId, manifest, store, peerId: 'seeder', ...this.#swarmHashing() })
    link.swarm.addPeer(new SimplePeerTransport(link.peer), 'leecher')
  }

  /** Downloads the file described by `manifestJson` over `key`; resolves once every piece verified. */
  async leech(key: string, manifestJson: string): Promise<LeechReceipt> {
    const link = this.#link(key)
    const manifest = decodeManifest(utf8.encode(manifestJson))
    const store = new MemoryChunkStore(manifest.pieces.length)
    const swarm = new Swarm({ swarmId: await manifestId(manifest), manifest, store, peerId: 'leecher', ...this.#swarmHashing() })
    link.swarm = swarm
    const warnings: string[] = []
    swarm.on('warning', (error) => warnings.push(error.message))
    const complete = new Promise<void>((resolve, reject) => {
      swarm.once('complete', () => resolve())
      swarm.on('peer-closed', (_id, reason) => reject(new Error(`the seeder went away: ${reason?.message ?? 'closed'}`)))
    })
    const start = performance.now()
    const transport = new SimplePeerTransport(link.peer)
    let first: { at: number; bytes: number } | undefined
    // The first message big enough to be a block (the handshake and bitfield are tiny).
    const offData = transport.on('data', (chunk) => {
      if (chunk.length < FIRST_BLOCK_MIN_BYTES) return
      first = { at: performance.now(), bytes: chunk.length }
      offData()
    })
    swarm.addPeer(transport, 'seeder')
    await withTimeout(complete, TRANSFER_TIMEOUT_MS, `leech on ${key} timed out at ${swarm.stats().verifiedPieces} pieces`)
    const end = performance.now()
    if (!first) throw new Error('shoal: no block-sized message arrived')
    const stats = swarm.stats()
    link.leeched = { manifest, store }
    return {
      bytes: manifest.size,
      ms: end - first.at,
      timedBytes: manifest.size - first.bytes,
      setupMs: first.at - start,
      pieceCount: stats.pieceCount,
      verifiedPieces: stats.verifiedPieces,
      warnings,
    }
  }

  /**
   * The id of a manifest rebuilt from what leech() stored: equal to the seeder's id only if
   * every stored byte is right. Separate from leech() so the benchmark can keep it out of the
   * transfer's CPU time; re-hashing piece by piece keeps it from allocating a second copy of
   * the file, garbage the next sample would pay for.
   */
  async storedId(key: string): Promise<string> {
    const leeched = this.#link(key).leeched
    if (!leeched) throw new Error(`nothing was leeched over ${key}`)
    const { manifest, store } = leeched
    const stored = await createManifest({
      name: manifest.name,
      size: manifest.size,
      pieceSize: manifest.pieceSize,
      readPiece: (piece, _offset, length) => store.read(piece, 0, length),
      ...this.#hashOption(),
    })
    return manifestId(stored)
  }

  /**
   * CPU time this process has used, all threads, in ms; undefined in a page (the benchmark
   * reads Chromium's processes through CDP instead).
   */
  async cpuMs(): Promise<number | undefined> {
    const usage = globalThis.process?.cpuUsage?.()
    return usage ? (usage.user + usage.system) / 1000 : undefined
  }

  #hashOption(): { hashPiece?: (data: Uint8Array) => Promise<string> } {
    return this.#options.hashPiece ? { hashPiece: this.#options.hashPiece } : {}
  }

  #swarmHashing(): Pick<SwarmOptions, 'hashPiece' | 'incrementalHash'> {
    const { incrementalHash } = this.#options
    return { ...this.#hashOption(), ...(incrementalHash ? { incrementalHash } : {}) }
  }

  #link(key: string): Link {
    const link = this.#links.get(key)
    if (!link) throw new Error(`no link ${key}`)
    return link
  }

  #requireDataset(): Dataset {
    if (!this.#dataset) throw new Error('prepare() the dataset first')
    return this.#dataset
  }
}

/** The methods an endpoint forwards to its lab; all async, so a page's lab looks like a local one. */
export const LAB_METHODS = ['prepare', 'open', 'signal', 'connected', 'close', 'rawExpect', 'rawSend', 'rawReceived', 'seed', 'leech', 'storedId', 'cpuMs'] as const
export type LabMethod = (typeof LAB_METHODS)[number]
export type LabCalls = Pick<LinkLab, LabMethod>

function rawChannel(peer: SimplePeer.Instance): RawChannel {
  const channel = (peer as unknown as { _channel?: RawChannel | null })._channel
  if (!channel) throw new Error('simple-peer has no data channel yet')
  return channel
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (${ms} ms)`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
