/**
 * The tracker's Prometheus metrics (`GET /metrics`) and the JSON summary built from them
 * (`GET /stats`). Each tracker has a registry of its own, so several in one process (tests) keep
 * separate counts. Counts of swarms, peers and manifests are read from the registries when
 * scraped rather than tracked alongside them, so they cannot drift; reading may be async.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { EventOutcome } from './guarded.ts'

/** Where the gauges come from, read at each scrape. */
export interface MetricSources {
  sockets(): number
  swarms(): number | Promise<number>
  peers(): number | Promise<number>
  manifests(): number | Promise<number>
}

export interface TrackerStats {
  uptimeSeconds: number
  sockets: number
  /** null when the registry could not be read. */
  swarms: number | null
  peers: number | null
  announces: number
  relays: number
  /** Refused events by error code, over all events. */
  rejections: Record<string, number>
  manifests: { stored: number | null; published: number; fetched: number }
}

/** Most events are answered from memory in well under a millisecond; a slow store or a private
 * tracker's token check takes longer. */
const EVENT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

type Counted = 'announces' | 'relays' | 'published' | 'fetched'

/** Successful events counted under their own name. */
const COUNTED_EVENTS: Partial<Record<string, Counted>> = {
  announce: 'announces',
  signal: 'relays',
  'manifest:publish': 'published',
  'manifest:fetch': 'fetched',
}

export class TrackerMetrics {
  readonly #registry = new Registry()
  readonly #startedAt = performance.now()
  readonly #sockets: Gauge
  readonly #swarms: Gauge
  readonly #peers: Gauge
  readonly #manifests: Gauge
  readonly #connections: Counter
  readonly #disconnects: Counter<'reason'>
  readonly #counted: Record<Counted, Counter>
  readonly #rejections: Counter<'event' | 'reason'>
  readonly #duration: Histogram<'event'>

  constructor(sources: MetricSources) {
    const registers = [this.#registry]
    const counter = (name: string, help: string) => new Counter({ name, help, registers })
    this.#sockets = new Gauge({
      name: 'shoal_sockets',
      help: 'Socket.IO connections open now',
      registers,
      collect() {
        this.set(sources.sockets())
      },
    })
    this.#swarms = readGauge('shoal_swarms', 'Swarms with at least one peer', sources.swarms, registers)
    this.#peers = readGauge('shoal_peers', 'Peer ids held by a connection', sources.peers, registers)
    this.#manifests = readGauge('shoal_manifests', 'Manifests stored', sources.manifests, registers)
    this.#connections = counter('shoal_connections_total', 'Socket.IO connections accepted')
    this.#disconnects = new Counter({ name: 'shoal_disconnects_total', help: 'Connections closed, by Socket.IO reason', labelNames: ['reason'], registers })
    this.#counted = {
      announces: counter('shoal_announces_total', 'Announces accepted'),
      relays: counter('shoal_relays_total', 'Signals relayed from one peer to another'),
      published: counter('shoal_manifests_published_total', 'Manifests published'),
      fetched: counter('shoal_manifests_fetched_total', 'Manifests fetched'),
    }
    this.#rejections = new Counter({
      name: 'shoal_rejections_total',
      help: 'Events answered with an error, by event and error code',
      labelNames: ['event', 'reason'],
      registers,
    })
    this.#duration = new Histogram({
      name: 'shoal_event_duration_seconds',
      help: 'Time from an event arriving to its answer',
      labelNames: ['event'],
      buckets: EVENT_BUCKETS,
      registers,
    })
  }

  eventHandled(outcome: EventOutcome): void {
    this.#duration.observe({ event: outcome.event }, outcome.seconds)
    if (outcome.code !== undefined) this.#rejections.inc({ event: outcome.event, reason: outcome.code })
    else {
      const name = COUNTED_EVENTS[outcome.event]
      if (name) this.#counted[name].inc()
    }
  }

  connected(): void {
    this.#connections.inc()
  }

  disconnected(reason: string): void {
    this.#disconnects.inc({ reason })
  }

  /** The `Content-Type` of `text()`. */
  get contentType(): string {
    return this.#registry.contentType
  }

  /** Every metric in the Prometheus text format, the process's own (memory, event loop lag) included. */
  text(): Promise<string> {
    return Registry.merge([this.#registry, processRegistry()]).metrics()
  }

  async stats(): Promise<TrackerStats> {
    const [sockets, swarms, peers, stored] = await Promise.all([
      valueOf(this.#sockets),
      valueOf(this.#swarms),
      valueOf(this.#peers),
      valueOf(this.#manifests),
    ])
    const rejections: Record<string, number> = {}
    for (const { labels, value } of (await this.#rejections.get()).values) {
      const reason = String(labels.reason)
      rejections[reason] = (rejections[reason] ?? 0) + value
    }
    const count = (name: Counted) => valueOf(this.#counted[name])
    return {
      uptimeSeconds: Math.round((performance.now() - this.#startedAt) / 1000),
      sockets: sockets ?? 0,
      swarms,
      peers,
      announces: (await count('announces')) ?? 0,
      relays: (await count('relays')) ?? 0,
      rejections,
      manifests: { stored, published: (await count('published')) ?? 0, fetched: (await count('fetched')) ?? 0 },
    }
  }
}

/** A gauge read from `read` at each scrape. If reading fails (a store is down), it reports NaN
 * rather than failing the whole scrape: the process metrics matter most just then. */
function readGauge(name: string, help: string, read: () => number | Promise<number>, registers: Registry[]): Gauge {
  return new Gauge({
    name,
    help,
    registers,
    async collect() {
      try {
        this.set(await read())
      } catch {
        this.set(Number.NaN)
      }
    },
  })
}

async function valueOf(metric: Gauge | Counter): Promise<number | null> {
  const value = (await metric.get()).values[0]?.value
  return value === undefined || Number.isNaN(value) ? null : value
}

let processMetrics: Registry | undefined

/** Memory, CPU, event loop lag: one set per process, however many trackers it runs, started
 * on the first scrape. */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry()
    collectDefaultMetrics({ register: processMetrics })
  }
  return processMetrics
}
