/**
 * Every key and channel a tracker uses in Redis, under one prefix, so several deployments can
 * share a Redis (each with its own prefix) and an operator can find (or delete) all of Shoal's.
 * A swarm's keys share a hash tag (`{<swarm>}`) so a script can touch them together on Redis Cluster.
 */

export const DEFAULT_KEY_PREFIX = 'shoal:'

export interface RedisKeys {
  /** Hash: peer id -> member record (member-record.ts), for members with room for another connection. */
  swarmPeers(swarm: string): string
  /**
   * Hash: peer id -> member record, for members that said they are full. Apart from the others
   * so a handout can sample those with room first without reading the whole swarm; each member
   * is in exactly one of the two.
   */
  swarmFull(swarm: string): string
  /** Sorted set: peer id -> when its record expires (ms since the epoch), for pruning. */
  swarmExpiry(swarm: string): string
  /** Sorted set: swarm id -> when its last announced peer expires; counts live swarms. */
  swarms: string
  /** Hash {socketId, sessionKey}: which connection owns the peer id; expires unless renewed. */
  peerOwner(peerId: string): string
  /** Sorted set: peer id -> when its ownership expires; counts owned peer ids. */
  peerOwners: string
  /** String: the manifest's canonical JSON. */
  manifest(id: string): string
  /** What manifest(id) puts before the id, for the script that evicts manifests by id. */
  manifestPrefix: string
  /** Sorted set: manifest id -> last published or fetched (ms), least recent first. */
  manifestsByUse: string
  /** Hash: manifest id -> its size in bytes. */
  manifestSizes: string
  /** Integer: the bytes of all manifests kept. */
  manifestBytes: string
  /** The Socket.IO Redis adapter's channel prefix. */
  adapterChannel: string
}

export function redisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  return {
    swarmPeers: (swarm) => `${prefix}swarm:{${swarm}}:peers`,
    swarmFull: (swarm) => `${prefix}swarm:{${swarm}}:full`,
    swarmExpiry: (swarm) => `${prefix}swarm:{${swarm}}:expiry`,
    swarms: `${prefix}swarms`,
    peerOwner: (peerId) => `${prefix}peer:${peerId}`,
    peerOwners: `${prefix}peers`,
    manifest: (id) => `${prefix}manifest:${id}`,
    manifestPrefix: `${prefix}manifest:`,
    manifestsByUse: `${prefix}manifests:by-use`,
    manifestSizes: `${prefix}manifests:sizes`,
    manifestBytes: `${prefix}manifests:bytes`,
    adapterChannel: `${prefix}socket.io`,
  }
}
