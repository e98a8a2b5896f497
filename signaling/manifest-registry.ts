/**
 * Published manifests, in memory, by id. Bounded in count and bytes; the least recently
 * published or fetched goes first, since anyone may publish and memory must not grow unboundedly.
 */
import type { ManifestStore } from './tracker-store.ts'

export interface ManifestRegistryOptions {
  /** Most manifests kept. */
  maxCount?: number
  /** Most bytes of manifest text kept (UTF-8). */
  maxBytes?: number
}

export const DEFAULT_MAX_COUNT = 10_000
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024

interface Entry {
  json: string
  bytes: number
}

export class ManifestRegistry implements ManifestStore {
  readonly #maxCount: number
  readonly #maxBytes: number
  // A Map iterates in insertion order, so re-inserting on use makes the first key the least recent.
  readonly #entries = new Map<string, Entry>()
  #bytes = 0

  constructor(options: ManifestRegistryOptions = {}) {
    this.#maxCount = options.maxCount ?? DEFAULT_MAX_COUNT
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  }

  /** Stores a manifest the caller has already checked against `id`. */
  async put(id: string, json: string, bytes: number): Promise<void> {
    this.#delete(id)
    while (this.#entries.size > 0 && (this.#entries.size >= this.#maxCount || this.#bytes + bytes > this.#maxBytes)) {
      const oldest = this.#entries.keys().next().value as string
      this.#delete(oldest)
    }
    // Stored even when larger than maxBytes on its own: the newest publish is the one a caller is waiting on.
    this.#entries.set(id, { json, bytes })
    this.#bytes += bytes
  }

  async get(id: string): Promise<string | undefined> {
    const entry = this.#entries.get(id)
    if (!entry) return undefined
    this.#entries.delete(id)
    this.#entries.set(id, entry)
    return entry.json
  }

  async count(): Promise<number> {
    return this.#entries.size
  }

  get bytes(): number {
    return this.#bytes
  }

  #delete(id: string): void {
    const entry = this.#entries.get(id)
    if (!entry) return
    this.#entries.delete(id)
    this.#bytes -= entry.bytes
  }
}
