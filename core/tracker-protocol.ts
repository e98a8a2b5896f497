/**
 * The Socket.IO events between peers and the tracker, shared by server and client. Schemas
 * (zod) validate everything the server receives; the types are derived from them.
 */
import { z } from 'zod'
import type { ShoalErrorCode } from './errors.ts'
import { MAX_MANIFEST_BYTES } from './manifest.ts'

export const contentIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
export const peerIdSchema = z.string().regex(/^[0-9a-zA-Z_-]{8,64}$/, 'must be 8-64 characters of [0-9a-zA-Z_-]')

/** Longest join token accepted; real ones are about 250 characters. */
export const MAX_JOIN_TOKEN_LENGTH = 4096
/**
 * A join token for the swarm an event names (see core/join-token.ts). A private tracker wants
 * one on announce, manifest:fetch and manifest:publish; an open tracker ignores it. Anything
 * short enough passes the schema: a malformed token is refused as NOT_ADMITTED, like any other.
 */
export const joinTokenSchema = z.string().max(MAX_JOIN_TOKEN_LENGTH)

/**
 * How often a peer announces again in each swarm it is in. A tracker that keeps membership with
 * expiry (several processes over Redis) forgets a peer a few intervals after its last announce.
 */
export const ANNOUNCE_INTERVAL_MS = 10_000

/** Largest SDP or ICE payload relayed; real offers are a few KiB. */
export const MAX_SIGNAL_BYTES = 16 * 1024

export const announceSchema = z.strictObject({
  swarm: contentIdSchema,
  peerId: peerIdSchema,
  /** Verified pieces held, so the tracker can favour peers with more. */
  pieces: z.number().int().min(0).max(2 ** 31),
  complete: z.boolean(),
  /**
   * True when the peer has no room for another connection (see `room`). Absent, from clients
   * older than room reports, counts as room: such a peer is handed out as before.
   */
  full: z.boolean().optional(),
  token: joinTokenSchema.optional(),
})

/**
 * Whether a peer has room for another connection in a swarm it announced in, sent when that
 * changes between announces. The tracker hands out peers with room before full ones: in a big
 * swarm most peers are full, and a newcomer dialling them is mostly refused (see `full` above).
 */
export const roomSchema = z.strictObject({ swarm: contentIdSchema, full: z.boolean() })

export const leaveSchema = z.strictObject({ swarm: contentIdSchema })

export const signalSchema = z.strictObject({
  swarm: contentIdSchema,
  to: peerIdSchema,
  data: z.unknown().refine(isSmallJson, {
    message: `signal data must be JSON of at most ${MAX_SIGNAL_BYTES} bytes`,
  }),
})

function isSmallJson(data: unknown): boolean {
  try {
    return data !== undefined && JSON.stringify(data).length <= MAX_SIGNAL_BYTES
  } catch {
    // Nested too deep to serialise (a RangeError): a client sent it to break the server, not to connect.
    return false
  }
}

export const publishManifestSchema = z.strictObject({
  /** The canonical manifest JSON; its SHA-256 (over UTF-8) is the id. */
  manifest: z.string().max(MAX_MANIFEST_BYTES),
  /** For the manifest's own id: publishing needs admission to the swarm it names. */
  token: joinTokenSchema.optional(),
})

export const fetchManifestSchema = z.strictObject({ id: contentIdSchema, token: joinTokenSchema.optional() })

/** How often a peer reports its traffic in each swarm (see `stats`); the tracker refuses reports closer together than STATS_MIN_GAP_MS. */
export const STATS_INTERVAL_MS = 2_000
export const STATS_MIN_GAP_MS = 1_500
/** Neighbours listed per report: a peer keeps at most 24 connections per swarm. */
export const MAX_STATS_NEIGHBOURS = 24

const byteCount = z.number().min(0).max(2 ** 53)
const byteRate = z.number().min(0).max(1e12)

/** Traffic with one neighbour: bytes per second sent to it (`up`) and received from it (`down`). */
export const neighbourStatsSchema = z.strictObject({ peerId: peerIdSchema, up: byteRate, down: byteRate })

/**
 * A peer's compact traffic report for one swarm it announced in, for the tracker's dashboard.
 * Informational only: the tracker never acts on it, so a lying peer only paints a wrong picture.
 */
export const statsSchema = z.strictObject({
  swarm: contentIdSchema,
  verifiedBytes: byteCount,
  size: byteCount,
  complete: z.boolean(),
  uploaded: byteCount,
  downloaded: byteCount,
  uploadRate: byteRate,
  downloadRate: byteRate,
  neighbours: z.array(neighbourStatsSchema).max(MAX_STATS_NEIGHBOURS),
})

export type Announce = z.infer<typeof announceSchema>
export type Leave = z.infer<typeof leaveSchema>
export type RoomReport = z.infer<typeof roomSchema>
export type SignalRequest = z.infer<typeof signalSchema>
export type PublishManifest = z.infer<typeof publishManifestSchema>
export type FetchManifest = z.infer<typeof fetchManifestSchema>
export type StatsReport = z.infer<typeof statsSchema>
export type NeighbourStats = z.infer<typeof neighbourStatsSchema>

export interface PeerInfo {
  peerId: string
  pieces: number
  complete: boolean
}

/**
 * Sent in the Socket.IO handshake (`auth`). The session key is a random secret a client keeps
 * across its reconnects: a new connection that presents it may take over the peer id still held
 * by the client's previous, half-dead connection; anyone else claiming that peer id is refused.
 */
export const trackerAuthSchema = z.object({
  sessionKey: z.string().regex(/^[0-9a-f]{32,128}$/).optional(),
})
export type TrackerAuth = z.infer<typeof trackerAuthSchema>

/** The codes a tracker answers with; a client maps anything else to TRACKER_ERROR. */
export const TRACKER_ERROR_CODES = [
  'BAD_INPUT',
  'BAD_MANIFEST',
  'NOT_ADMITTED',
  'NOT_FOUND',
  'RATE_LIMITED',
  'TRACKER_ERROR',
] as const satisfies readonly ShoalErrorCode[]
export type TrackerErrorCode = (typeof TRACKER_ERROR_CODES)[number]

export interface TrackerErrorBody {
  /** A TrackerErrorCode from a well-behaved tracker; typed string because clients receive it untrusted. */
  code: string
  message: string
}

export type Ack<T> = (response: ({ ok: true } & T) | { ok: false; error: TrackerErrorBody }) => void

export interface ClientToServerEvents {
  announce: (body: Announce, ack: Ack<{ peers: PeerInfo[] }>) => void
  leave: (body: Leave, ack: Ack<object>) => void
  room: (body: RoomReport, ack: Ack<object>) => void
  signal: (body: SignalRequest, ack: Ack<object>) => void
  'manifest:publish': (body: PublishManifest, ack: Ack<{ id: string }>) => void
  'manifest:fetch': (body: FetchManifest, ack: Ack<{ manifest: string }>) => void
  /** Sent without waiting for an answer; the ack is optional. */
  stats: (body: StatsReport, ack?: Ack<object>) => void
}

export interface ServerToClientEvents {
  /** A relayed WebRTC signal from `from`, a peer sharing `swarm` with the receiver. */
  signal: (body: { swarm: string; from: string; data: unknown }) => void
}

/** What a client checks in tracker answers and relayed signals: the tracker is not trusted blindly. */
export const peerInfoSchema = z.object({
  peerId: peerIdSchema,
  pieces: z.number().int().min(0),
  complete: z.boolean(),
}) satisfies z.ZodType<PeerInfo>
export const relayedSignalSchema = z.object({
  swarm: contentIdSchema,
  from: peerIdSchema,
  data: z.unknown(),
})

/** One peer on the dashboard. Ids are shortened: the dashboard is for watching, not for signalling. */
export interface DashboardPeer {
  id: string
  /** Verified bytes / file size, 0 to 1. */
  completion: number
  complete: boolean
  /** Held the whole file without downloading any of it: an origin seeder. */
  origin: boolean
  uploadRate: number
  downloadRate: number
}

/** Data flowing from one peer to another, in bytes per second. */
export interface DashboardEdge {
  from: string
  to: string
  rate: number
}

export interface DashboardSwarm {
  /** The first 12 hex of the swarm id: enough to tell swarms apart, not enough to join one. */
  id: string
  /** The file's name, when this tracker holds the manifest. */
  name: string | undefined
  size: number
  peers: DashboardPeer[]
  edges: DashboardEdge[]
  /** Bytes uploaded by peers that are not origins / bytes uploaded by all, 0 to 1; undefined before any upload. */
  offload: number | undefined
  uploadRate: number
}

export interface DashboardSnapshot {
  at: number
  swarms: DashboardSwarm[]
}

export interface DashboardServerEvents {
  snapshot: (snapshot: DashboardSnapshot) => void
}
