/**
 * Runs the real engine (Swarm: picker, pipeline, uploader, distinct-first seeding) for every
 * peer of a swarm over the simulated network, with peers found through the tracker's real
 * handout policy and dialled under the connector's caps. Pure function of its config and seed.
 */
import type { Bitfield } from '../core/bitfield.ts'
import { type Manifest, MANIFEST_VERSION, pieceCount } from '../core/manifest.ts'
import { Swarm } from '../core/swarm.ts'
import { MAX_BLOCK_SIZE } from '../core/wire.ts'
import { simulateFlow } from './flow-simulation.ts'
import type { SimTrace } from './flow-trace.ts'
import { seededRandom } from './random.ts'
import { SimClock } from './sim-clock.ts'
import { runSettings, scheduleArrivals, summarize } from './run-frame.ts'
import { SimConnector } from './sim-connector.ts'
import { connect, SimHost } from './sim-network.ts'
import { VirtualChunkStore } from './virtual-store.ts'

/**
 * 'block': real piece and block sizes, every 64 KiB block a frame (exact, slow for big runs).
 * 'piece': same piece count, each piece shrunk to PIECE_MODE_BLOCKS small blocks and every
 * capacity shrunk by the same factor, so each piece still takes as long to cross a link but
 * costs a few frames instead of up to 128 (see the README's Simulator section for what that
 * distorts).
 * 'flow': no Swarms; the engine's policies over a chunk-level network (flow-simulation.ts), for
 * runs far too big for the others.
 * 'auto' picks 'block' when the run moves at most AUTO_BLOCK_LIMIT blocks, else 'flow'.
 */
export const GRANULARITIES = ['block', 'piece', 'flow', 'auto'] as const
export type Granularity = (typeof GRANULARITIES)[number]

export interface SimConfig {
  /** Leechers (peers that start empty). */
  peers: number
  seeders?: number
  sizeBytes: number
  pieceSize?: number
  /** Upload capacity of each peer, bytes/s; leechers take these in turn, seeders the first. */
  upload: number[]
  /** Download capacity, bytes/s, same order; defaults to the upload capacity. */
  download?: number[]
  latencyMs?: number
  /** Fraction of leechers that leave mid-download, each replaced at once by a new empty peer. */
  churn?: number
  /** Leechers join uniformly over this many ms after the seeders. */
  joinSpreadMs?: number
  granularity?: Granularity
  seed?: number
  /** Stop after this much virtual time, ms. */
  limitMs?: number
  /** Origins super-seed (SwarmOptions.superSeed); by default as Swarm decides (superSeedPays()). */
  superSeed?: boolean
  /** Flow model only: follow this many of the slowest leechers (see flow-trace.ts). */
  trace?: number
}

export interface SimResult {
  peers: number
  seeders: number
  sizeBytes: number
  pieceSize: number
  pieces: number
  granularity: 'block' | 'piece' | 'flow'
  bandwidth: number
  latencyMs: number
  churn: number
  idealSeconds: number
  clientServerSeconds: number
  p50Seconds: number
  p99Seconds: number
  maxSeconds: number
  /** Peers that completed / peers that stayed to the end (churned-out peers excluded). */
  completed: number
  finishers: number
  originUploadedBytes: number
  originCopies: number
  events: number
  wallSeconds: number
  seed: number
  /** With `trace` (flow model). */
  trace?: SimTrace
}

const PIECE_MODE_PIECE = 16 * 1024
const PIECE_MODE_BLOCKS = 2
/** About a minute of the block model on this machine; beyond it the flow model, validated against it, is what auto runs. */
const AUTO_BLOCK_LIMIT = 100_000
/** Signaling through the tracker, offer to answer, then ICE and the channel opening: in one-way latencies. */
const OFFER_LATENCIES = 2
const OPEN_LATENCIES = 6
const FAKE_HASH = '0'.repeat(64)
const SWARM_ID = '5'.repeat(64)

interface SimPeer {
  id: string
  host: SimHost
  swarm: Swarm
  store: VirtualChunkStore
  /** The store's bitfield, for the connector (what the tracker hears in announces). */
  verified: Bitfield
  seeder: boolean
  joinedAt: number
  doneAt?: number
  left: boolean
}

export async function simulate(config: SimConfig): Promise<SimResult> {
  const mode = config.granularity ?? 'auto'
  if (config.trace && mode !== 'flow' && mode !== 'auto') throw new RangeError('a trace needs the flow model')
  if (mode === 'flow' || config.trace || (mode === 'auto' && (config.peers * config.sizeBytes) / MAX_BLOCK_SIZE > AUTO_BLOCK_LIMIT)) return simulateFlow(config)
  const wallStart = performance.now()
  const { seed, random, seeders, latencyMs, pieceSize: realPiece, pieces, download } = runSettings(config)
  const granularity: 'block' | 'piece' = mode === 'piece' ? 'piece' : 'block'
  // Piece mode: every byte count and rate shrinks by `scale`, so durations are unchanged.
  const scale = granularity === 'piece' ? PIECE_MODE_PIECE / realPiece : 1
  const simPiece = realPiece * scale
  const simSize = granularity === 'piece' ? Math.max(1, Math.round(config.sizeBytes * scale)) : config.sizeBytes
  const blockSize = granularity === 'piece' ? PIECE_MODE_PIECE / PIECE_MODE_BLOCKS : MAX_BLOCK_SIZE
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    name: 'simulated',
    size: simSize,
    pieceSize: simPiece,
    pieces: new Array<string>(pieceCount(simSize, simPiece)).fill(FAKE_HASH),
  }
  const clock = new SimClock()
  const online = new Map<string, SimPeer>()
  const all: SimPeer[] = []
  let serial = 0
  const connector: SimConnector<SimPeer> = new SimConnector({
    clock,
    online,
    random,
    latencyMs,
    mayDial: (peer, remoteId) => !peer.swarm.isBanned(remoteId),
    onOpen: (a, b) => {
      const [ta, tb] = connect(a.host, b.host, latencyMs)
      a.swarm.addPeer(ta, b.id)
      b.swarm.addPeer(tb, a.id)
    },
  })

  const addPeer = (seeder: boolean, index: number): SimPeer => {
    const id = `${seeder ? 'seed' : 'peer'}-${++serial}`
    const up = config.upload[index % config.upload.length]!
    const down = download[index % download.length]!
    const host = new SimHost(clock, { upload: up * scale, download: down * scale })
    const store = new VirtualChunkStore(manifest.pieces.length, seeder)
    const swarm = new Swarm({
      swarmId: SWARM_ID,
      manifest,
      store,
      peerId: id,
      clock,
      random: seededRandom(Math.floor(random() * 2 ** 32)),
      blockSize,
      superSeed: config.superSeed,
      hashPiece: async () => FAKE_HASH,
    })
    const peer: SimPeer = { id, host, swarm, store, verified: store.verified, seeder, joinedAt: clock.now(), left: false }
    swarm.on('peer-closed', (remoteId) => {
      if (remoteId !== undefined) connector.closed(peer, remoteId)
    })
    swarm.on('complete', () => {
      peer.doneAt ??= clock.now()
      connector.announce(peer)
    })
    online.set(id, peer)
    all.push(peer)
    connector.announce(peer)
    return peer
  }

  const leave = (peer: SimPeer): void => {
    peer.left = true
    online.delete(peer.id)
    connector.leave(peer)
    void peer.swarm.destroy()
  }

  const idealMs = idealSeconds(config, seeders) * 1000
  const churnEnd = scheduleArrivals(config, seeders, idealMs, { at: (ms, fn) => clock.at(ms, fn), random, online, addPeer, leave })
  const finishers = () => all.filter((p) => !p.seeder && !p.left)
  await clock.run(
    () => all.length >= seeders + config.peers && clock.now() >= churnEnd && finishers().every((p) => p.doneAt !== undefined),
    config.limitMs ?? Math.max(600_000, idealMs * 20),
  )

  const originUploadedBytes = all.filter((p) => p.seeder).reduce((sum, p) => sum + p.swarm.stats().uploadedBytes, 0) / scale
  const done = finishers()
  for (const p of all) if (!p.left) leave(p)
  return summarize(config, {
    granularity,
    seeders,
    pieceSize: realPiece,
    pieces,
    latencyMs,
    idealMs,
    finishers: done,
    originUploadedBytes,
    events: clock.events,
    wallStart,
    seed,
  })
}

/**
 * The lower bound on the last completion: the origin must send every byte once (S/Us), each
 * peer must receive S (S/D), and N copies must come out of everyone's upload (N*S/(Us+sum U)).
 */
export function idealSeconds(config: SimConfig, seeders = config.seeders ?? 1): number {
  const S = config.sizeBytes
  const down = config.download ?? config.upload
  let leecherUpload = 0
  let minDown = Infinity
  for (let i = 0; i < config.peers; i++) {
    leecherUpload += config.upload[i % config.upload.length]!
    minDown = Math.min(minDown, down[i % down.length]!)
  }
  const originUpload = config.upload[0]! * seeders
  return Math.max(S / originUpload, S / minDown, (config.peers * S) / (originUpload + leecherUpload))
}
