/**
 * The 'flow' granularity: the swarm's policies (picker, pipeline depth, distinct-first, the
 * tracker's handout, the connector's caps) run for every peer as in simulation.ts, but over a
 * chunk-level network model instead of real Swarms exchanging frames (see flow-peer.ts for what
 * that leaves out). Costs a few events per chunk: 1000 peers x 5 GB at 5 GB/s, in whole-piece
 * chunks, runs in about a minute; on 1 Gbit/s links, in 3-block chunks, in about seven.
 */
import { MAX_PEERS } from '../core/client/peer-connector.ts'
import { superSeedPays } from '../core/piece-offers.ts'
import { initialPipelineBlocks, MIN_DELIVERY_WINDOW_MS } from '../core/pipeline.ts'
import { MAX_BLOCK_SIZE } from '../core/wire.ts'
import { BitRows } from './bit-rows.ts'
import { EventQueue } from './event-queue.ts'
import { FlowHost } from './flow-network.ts'
import { type FlowFile, FlowPeer } from './flow-peer.ts'
import { FlowTracer } from './flow-trace.ts'
import { seededRandom } from './random.ts'
import { SimConnector } from './sim-connector.ts'
import { runSettings, scheduleArrivals, summarize } from './run-frame.ts'
import { idealSeconds, type SimConfig, type SimResult } from './simulation.ts'

/**
 * About how many chunks a run moves. A chunk (some blocks of one piece) is the unit requested and
 * sent; single blocks are what the engine does, and the closest match to the block model for slow
 * links, where a piece takes long to cross; a run bigger than this moves coarser chunks, up to
 * whole pieces, each costing two or three events (but see chunkBlocks: slow links keep them small).
 */
const CHUNK_BUDGET = 1_000_000

/**
 * Blocks per chunk: as few as the budget allows, never more than a piece, and never more than a
 * connection's share of the slowest link (its capacity over MAX_PEERS) moves in the engine's
 * shortest delivery window. Swarm sizes a pipeline from what a neighbour delivered over as little
 * as 50 ms, and a chunk lands all at once: bigger than that, it reads as a burst many times the
 * real rate and pipelines grow deep enough to queue seconds of requests (30 peers x 400 MB in
 * 4 MiB pieces at 1 Gbit/s: block model max 6.13 s; whole-piece chunks 8.29 s, 1.4 x too slow;
 * capped, 6.34 s). At 5 GB/s the cap is above a 4 MiB piece and changes nothing.
 */
export function chunkBlocks(run: { peers: number; sizeBytes: number; pieceSize: number; rates: number[] }): number {
  const pieceBlocks = Math.ceil(run.pieceSize / MAX_BLOCK_SIZE)
  const budgetBlocks = Math.ceil((run.peers * run.sizeBytes) / MAX_BLOCK_SIZE / CHUNK_BUDGET)
  const shareBlocks = Math.floor((Math.min(...run.rates) / MAX_PEERS) * (MIN_DELIVERY_WINDOW_MS / 1000) / MAX_BLOCK_SIZE)
  return Math.max(1, Math.min(pieceBlocks, budgetBlocks, shareBlocks))
}

export function simulateFlow(config: SimConfig): SimResult {
  const wallStart = performance.now()
  const { seed, random, seeders, latencyMs, pieceSize, pieces, download } = runSettings(config)
  const file: FlowFile = {
    size: config.sizeBytes,
    pieceSize,
    pieces,
    chunkBlocks: chunkBlocks({ peers: config.peers, sizeBytes: config.sizeBytes, pieceSize, rates: [...config.upload, ...download] }),
    neverRefused: new Float32Array(pieces),
    remotes: new BitRows(pieces),
    initialPipelineBlocks: initialPipelineBlocks(pieceSize, MAX_BLOCK_SIZE),
    superSeed: config.superSeed ?? superSeedPays(pieces, pieceSize),
  }
  const queue = new EventQueue()
  const tracer = config.trace ? new FlowTracer(queue, pieces) : undefined
  const online = new Map<string, FlowPeer>()
  const all: FlowPeer[] = []
  let unfinished = 0
  let serial = 0

  const connector: SimConnector<FlowPeer> = new SimConnector({
    clock: queue,
    online,
    random,
    latencyMs,
    onOpen: (a, b) => FlowPeer.connect(a, b),
  })

  const onComplete = (peer: FlowPeer) => {
    if (!peer.seeder) unfinished--
    connector.announce(peer)
  }

  const onDisconnect = (peer: FlowPeer, remote: FlowPeer) => connector.closed(peer, remote.id)

  const addPeer = (seeder: boolean, index: number): FlowPeer => {
    const id = `${seeder ? 'seed' : 'peer'}-${++serial}`
    const host = new FlowHost(queue, config.upload[index % config.upload.length]!, download[index % download.length]!)
    const peerRandom = seededRandom(Math.floor(random() * 2 ** 32))
    const peer = new FlowPeer(id, seeder, file, queue, host, peerRandom, latencyMs, onComplete, onDisconnect)
    if (!seeder) unfinished++
    online.set(id, peer)
    all.push(peer)
    connector.announce(peer)
    tracer?.watch(peer)
    return peer
  }

  const leave = (peer: FlowPeer): void => {
    online.delete(peer.id)
    connector.leave(peer)
    if (!peer.seeder && !peer.complete) unfinished--
    for (const neighbour of peer.leave()) connector.closed(neighbour, peer.id)
  }

  const idealMs = idealSeconds(config, seeders) * 1000
  const churnEnd = scheduleArrivals(config, seeders, idealMs, { at: (ms, fn) => queue.at(ms, fn), random, online, addPeer, leave })
  queue.run(
    () => unfinished === 0 && all.length >= seeders + config.peers && queue.now() >= churnEnd,
    config.limitMs ?? Math.max(600_000, idealMs * 20),
  )

  const result = summarize(config, {
    granularity: 'flow',
    seeders,
    pieceSize,
    pieces,
    latencyMs,
    idealMs,
    finishers: all.filter((p) => !p.seeder && !p.left),
    originUploadedBytes: all.filter((p) => p.seeder).reduce((sum, p) => sum + p.uploadedBytes, 0),
    events: queue.events,
    wallStart,
    seed,
  })
  return tracer ? { ...result, trace: tracer.result(config.trace!) } : result
}
