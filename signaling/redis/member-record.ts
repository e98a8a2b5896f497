/**
 * A swarm member as kept in Redis: what the tracker hands out, the connection signals go to, and
 * when the entry expires. Expiry is what makes a crashed process's peers age out: nobody is left
 * to remove them, and they stop re-announcing, so other processes stop handing them out.
 * Whether the member is full is not in the record but in which of the swarm's two hashes holds it
 * (see keys.ts): a `room` report moves the record without rewriting it.
 */
import { ANNOUNCE_INTERVAL_MS } from '../../core/tracker-protocol.ts'
import type { SwarmMember } from '../tracker-store.ts'

/** Forget a peer three announce intervals after its last announce: one late or lost announce is not enough. */
export const DEFAULT_MEMBER_TTL_MS = 3 * ANNOUNCE_INTERVAL_MS

interface MemberRecord {
  socketId: string
  pieces: number
  complete: boolean
  expiresAt: number
}

export function expiresAt(now: number, ttlMs: number): number {
  return now + ttlMs
}

/** A record is live until the millisecond it expires. */
export function isLive(expiry: number, now: number): boolean {
  return expiry > now
}

export function encodeMember(member: SwarmMember, expiry: number): string {
  const record: MemberRecord = { socketId: member.socketId, pieces: member.pieces, complete: member.complete, expiresAt: expiry }
  return JSON.stringify(record)
}

/**
 * Undefined for an expired record, or one that is not a record (Redis is shared; trust nothing
 * blindly). `full` says which hash it came from.
 */
export function decodeMember(peerId: string, text: string, now: number, full = false): SwarmMember | undefined {
  let record: Partial<MemberRecord>
  try {
    record = JSON.parse(text) as Partial<MemberRecord>
  } catch {
    return undefined
  }
  const { socketId, pieces, complete, expiresAt: expiry } = record ?? {}
  if (typeof socketId !== 'string' || typeof pieces !== 'number' || typeof complete !== 'boolean' || typeof expiry !== 'number') return undefined
  if (!isLive(expiry, now)) return undefined
  return { peerId, socketId, pieces, complete, full }
}
