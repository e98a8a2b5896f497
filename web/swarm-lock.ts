/**
 * One tab drives a swarm: two tabs writing the same pieces would race each other's records and
 * double the traffic. A Web Lock named after the swarm is held for the tab's lifetime (the
 * browser releases it when the tab closes or crashes); a second tab waits for it and takes over.
 */

export const SWARM_LOCK_PREFIX = 'shoal:swarm:'

export function swarmLockName(swarmId: string): string {
  return SWARM_LOCK_PREFIX + swarmId
}

/**
 * Resolves once this tab holds the swarm's lock, calling `onWaiting` first if another tab has
 * it. Without Web Locks (an insecure http origin) there is no way to coordinate: it resolves at
 * once and the store's content addressing keeps two writers from corrupting anything.
 */
export async function acquireSwarmLock(swarmId: string, onWaiting: () => void): Promise<void> {
  const locks = navigator.locks
  if (!locks) return
  const name = swarmLockName(swarmId)
  const holdUntilUnload = () => new Promise<void>(() => {})
  const gotAtOnce = await new Promise<boolean>((resolve) => {
    void locks.request(name, { ifAvailable: true }, (lock) => {
      resolve(lock !== null)
      return lock ? holdUntilUnload() : undefined
    })
  })
  if (gotAtOnce) return
  onWaiting()
  await new Promise<void>((resolve) => {
    void locks.request(name, () => {
      resolve()
      return holdUntilUnload()
    })
  })
}

/** Swarm ids some tab of this origin is driving right now. */
export async function swarmsInUse(): Promise<Set<string>> {
  const held = (await navigator.locks?.query())?.held ?? []
  return new Set(held.flatMap((lock) => (lock.name?.startsWith(SWARM_LOCK_PREFIX) ? [lock.name.slice(SWARM_LOCK_PREFIX.length)] : [])))
}
