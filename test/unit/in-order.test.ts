import { describe, expect, it } from 'vitest'
import { inOrder } from '../../signaling/in-order.ts'
import type { TaskQueue } from '../../signaling/in-order.ts'

describe('inOrder', () => {
  it('runs tasks one at a time in the order queued, whatever each takes, and a failure does not stop the queue', async () => {
    const queue: TaskQueue = {}
    const next = <T>(task: () => T | Promise<T>) => inOrder(queue, task)
    const log: string[] = []
    const task = (name: string, ms: number, fails = false) => async () => {
      log.push(`start ${name}`)
      await new Promise((resolve) => setTimeout(resolve, ms))
      log.push(`end ${name}`)
      if (fails) throw new Error(name)
      return name
    }
    const results = await Promise.allSettled([next(task('slow', 30)), next(task('broken', 1, true)), next(task('fast', 0)), next(() => 'sync')])
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['slow', 'broken', 'fast', 'sync'])
    expect(log).toEqual(['start slow', 'end slow', 'start broken', 'end broken', 'start fast', 'end fast'])
  })

  it('keeps nothing once idle, not even the last result', async () => {
    const queue: TaskQueue = {}
    const first = inOrder(queue, async () => ({ big: 'answer' }))
    const second = inOrder(queue, () => 'last')
    expect(queue.tail).toBeDefined()
    await Promise.all([first, second])
    await queue.tail
    expect(queue.tail).toBeUndefined()
  })
})
