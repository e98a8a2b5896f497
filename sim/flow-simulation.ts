/**
 * The 'flow' granularity: the swarm's policies (picker, pipeline depth, distinct-first, the
 * tracker's handout, the connector's caps) run for every peer as in simulation.ts, but over a
 * chunk-level network model instead of real Swarms exchanging frames (see flow-peer.ts for what
 * that leaves out). Costs a few events per chunk, so 1000 peers x 5 GB runs in seconds.
 */
import { MAX_BLOCK_SIZE } from '../core/wire.ts'
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
 * whole pieces, each costing two or three events. 1000 peers x 5 GB moves whole 4 MiB pieces.
 */
const CHUNK_BUDGET = 1_000_000

export function simulateFlow(config: SimConfig): SimResult {
  const wallStart = performance.now()
  const { seed, random, seeders, latencyMs, pieceSize, pieces, download } = runSettings(config)
  const file: FlowFile = {
    size: config.sizeBytes,
    pieceSize,
    pieces,
    chunkBlocks: Math.min(Math.ceil(pieceSize / MAX_BLOCK_SIZE), Math.ceil((config.peers * config.sizeBytes) / MAX_BLOCK_SIZE / CHUNK_BUDGET)),
    neverRefused: new Float32Array(pieces),
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
