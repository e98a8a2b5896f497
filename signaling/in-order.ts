/**
 * Runs async tasks one at a time, in the order they were queued. Each connection's events go
 * through one: a store answers asynchronously (Redis), and without the queue a connection's
 * disconnect cleanup could run while its announce is still writing, leaving a ghost member, or
 * two quick events could overtake each other.
 *
 * The queue is a field on an object the caller already keeps per connection, not a closure:
 * ten thousand idle connections then hold nothing for it, not even their last answer.
 */
export interface TaskQueue {
  /** Settles when the last queued task has; undefined when the queue is idle. */
  tail?: Promise<void> | undefined
}

export function inOrder<T>(queue: TaskQueue, task: () => T | Promise<T>): Promise<T> {
  const run = (queue.tail ?? Promise.resolve()).then(task)
  // The next task waits for this one to settle, whatever its outcome; the caller sees the outcome.
  const settled: Promise<void> = run.then(release, release)
  queue.tail = settled
  return run

  function release(): void {
    if (queue.tail === settled) queue.tail = undefined
  }
}
