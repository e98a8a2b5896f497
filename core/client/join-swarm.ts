/** Joins one swarm over a tracker: the engine plus the connections that feed it. */
import { randomHex } from '../bytes.ts'
import type { ChunkStore } from '../chunk-store.ts'
import type { Manifest } from '../manifest.ts'
import { Swarm, type SwarmOptions } from '../swarm.ts'
import { PeerConnector, type PeerConnectorOptions, type SignalingChannel } from './peer-connector.ts'

export interface JoinSwarmOptions {
  signaling: SignalingChannel
  swarmId: string
  manifest: Manifest
  store: ChunkStore
  peerId?: string
  wrtc?: unknown
  swarm?: Partial<Omit<SwarmOptions, 'swarmId' | 'manifest' | 'store' | 'peerId'>>
  connector?: Partial<Omit<PeerConnectorOptions, 'signaling' | 'swarm' | 'swarmId' | 'peerId' | 'wrtc'>>
}

export interface JoinedSwarm {
  peerId: string
  swarm: Swarm
  connector: PeerConnector
  /** Leaves the swarm cleanly: tells the tracker, says goodbye on every connection and waits for them to close. */
  leave(): Promise<void>
}

/** A random peer id: unique per process or tab, never reused across runs. */
export function newPeerId(): string {
  return randomHex(16)
}

export async function joinSwarm(options: JoinSwarmOptions): Promise<JoinedSwarm> {
  const peerId = options.peerId ?? newPeerId()
  const swarm = new Swarm({ ...options.swarm, swarmId: options.swarmId, manifest: options.manifest, store: options.store, peerId })
  const connector = new PeerConnector({
    ...options.connector,
    signaling: options.signaling,
    swarm,
    swarmId: options.swarmId,
    peerId,
    wrtc: options.wrtc,
  })
  try {
    await connector.start()
  } catch (err) {
    await Promise.all([connector.stop(), swarm.destroy()])
    throw err
  }
  return {
    peerId,
    swarm,
    connector,
    async leave() {
      // The connector stops dialling at once; the swarm then says goodbye on every connection.
      await Promise.all([connector.stop(), swarm.destroy()])
    },
  }
}
