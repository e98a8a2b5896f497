/**
 * Published manifests, in memory, by id. Bounded in count and bytes; the least recently
 * published or fetched goes first, since anyone may publish and memory must not grow unboundedly.
 */

export interface ManifestRegistryOptions {
  /** Most manifests kept. */
  maxCount?: number
  /** Most bytes of manifest text kept (UTF-8). */
  maxBytes?: number
}

const DEFAULT_MAX_COUNT = 10_000
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024

interface Entry {
  json: string
  bytes: number
}

export class ManifestRegistry {
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
  put(id: string, json: string, bytes: number): void {
    this.#delete(id)
    while (this.#entries.size > 0 && (this.#entries.size >= this.#maxCount || this.#bytes + bytes > this.#maxBytes)) {
      const oldest = this.#entries.keys().next().value as string
      this.#delete(oldest)
    }
    // Stored even when larger than maxBytes on its own: the newest publish is the one a caller is waiting on.
    this.#entries.set(id, { json, bytes })
    this.#bytes += bytes
  }

  get(id: string): string | undefined {
    const entry = this.#entries.get(id)
    if (!entry) return undefined
    this.#entries.delete(id)
    this.#entries.set(id, entry)
    return entry.json
  }

  get count(): number {
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
