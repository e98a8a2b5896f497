/** A small typed event emitter. A throwing listener is reported, never breaks the emitter. */
export type Listener<Args extends unknown[]> = (...args: Args) => void

// Listeners are stored untyped; on() and emit() keep the per-event types at the edges.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyListener = (...args: any[]) => void

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  #listeners = new Map<keyof Events, Set<AnyListener>>()

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(listener as AnyListener)
    return () => this.off(event, listener)
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, ((...args: Events[K]) => {
      off()
      listener(...args)
    }) as Listener<Events[K]>)
    return off
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(event)?.delete(listener as AnyListener)
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.#listeners.get(event)
    if (!set) return
    for (const listener of [...set]) {
      try {
        listener(...args)
      } catch (err) {
        queueMicrotask(() => {
          throw err
        })
      }
    }
  }

  protected removeAllListeners(): void {
    this.#listeners.clear()
  }
}
