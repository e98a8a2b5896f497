/**
 * Runs async tasks one at a time, in the order they were queued. Each connection's events go
 * through one: a store answers asynchronously (Redis), and without the queue a connection's
 * disconnect cleanup could run while its announce is still writing, leaving a ghost member, or
 * two quick events could overtake each other.
 */
export type InOrder = <T>(task: () => T | Promise<T>) => Promise<T>

export function inOrder(): InOrder {
  let tail: Promise<unknown> = Promise.resolve()
  return (task) => {
    const run = tail.then(task)
    // The next task waits for this one to settle, whatever its outcome; the caller sees the outcome.
    tail = run.catch(() => undefined)
    return run
  }
}
