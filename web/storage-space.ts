/**
 * The origin's storage budget: ask the browser to keep our data (persistent storage is not
 * evicted under pressure, which matters for a 5 GB file), and report usage against the quota
 * so the page can say what a download still needs before the quota says no.
 */

export interface StorageSpace {
  usage: number
  quota: number
  /** The browser agreed not to evict this origin's data under storage pressure. */
  persisted: boolean
}

/** Asks once per page; browsers answer without a prompt (Chromium decides by engagement). */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    return (await navigator.storage?.persist?.()) ?? false
  } catch {
    return false
  }
}

export async function storageSpace(): Promise<StorageSpace | undefined> {
  const storage = navigator.storage
  if (!storage?.estimate) return undefined
  try {
    const [{ usage = 0, quota = 0 }, persisted] = await Promise.all([storage.estimate(), storage.persisted?.() ?? false])
    return { usage, quota, persisted }
  } catch {
    return undefined
  }
}
