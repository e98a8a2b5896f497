/** guarded(): every event, however it ends, is answered once and observed once. */
import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { fail, guarded } from '../../signaling/guarded.ts'
import type { EventOutcome } from '../../signaling/guarded.ts'
import { TokenBucket } from '../../signaling/rate-limiter.ts'

const schema = z.object({ n: z.number() })
const caller = (burst: number) => ({ id: 'socket-1', data: { rate: new TokenBucket({ burst, perSecond: 0 }) } })

function setup(handler: (body: { n: number }) => unknown, burst = 100) {
  const outcomes: EventOutcome[] = []
  const errors: unknown[] = []
  const listener = guarded(
    { event: 'test', schema, onError: (err) => errors.push(err), observe: (_id, o) => outcomes.push(o) },
    (_caller, body: { n: number }) => handler(body),
  )
  const from = caller(burst)
  const call = (...args: unknown[]) => new Promise<unknown>((resolve) => listener(from, [...args, resolve]))
  return { listener, call, outcomes, errors }
}

describe('guarded', () => {
  it('observes a success with no code and its duration', async () => {
    const { call, outcomes } = setup(({ n }) => ({ ok: true, n }))
    expect(await call({ n: 1 })).toEqual({ ok: true, n: 1 })
    expect(outcomes).toEqual([{ event: 'test', code: undefined, message: undefined, seconds: expect.any(Number) }])
    expect(outcomes[0]!.seconds).toBeGreaterThanOrEqual(0)
  })

  it('observes refusals by their code: bad input, the handler\'s own, rate limit', async () => {
    const { call, outcomes } = setup(() => fail('NOT_FOUND', 'nothing here'), 2)
    await call({ n: 'x' })
    await call({ n: 1 })
    await call({ n: 1 })
    expect(outcomes.map((o) => o.code)).toEqual(['BAD_INPUT', 'NOT_FOUND', 'RATE_LIMITED'])
    expect(outcomes[1]!.message).toBe('nothing here')
  })

  it('observes a crash, sync or async, as TRACKER_ERROR', async () => {
    const sync = setup(() => {
      throw new Error('boom')
    })
    expect(await sync.call({ n: 1 })).toMatchObject({ ok: false, error: { code: 'TRACKER_ERROR' } })
    expect(sync.outcomes.map((o) => o.code)).toEqual(['TRACKER_ERROR'])
    const async = setup(async () => {
      throw new Error('boom')
    })
    await async.call({ n: 1 })
    expect(async.outcomes.map((o) => o.code)).toEqual(['TRACKER_ERROR'])
    expect(async.errors).toHaveLength(1)
  })

  it('observes an event sent without an ack too, and survives a throwing observer', async () => {
    const outcomes: [string, EventOutcome][] = []
    const errors: unknown[] = []
    const listener = guarded(
      {
        event: 'test',
        schema,
        onError: (err) => errors.push(err),
        observe: (id, o) => {
          outcomes.push([id, o])
          throw new Error('observer broke')
        },
      },
      () => ({ ok: true }),
    )
    const from = caller(10)
    listener(from, [{ n: 1 }])
    const answered = await new Promise((resolve) => listener(from, [{ n: 2 }, resolve]))
    expect(answered).toEqual({ ok: true })
    expect(outcomes.map(([id]) => id)).toEqual(['socket-1', 'socket-1'])
    expect(errors).toHaveLength(2)
  })
})
