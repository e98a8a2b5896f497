/** Assertions shared by the tracker's integration tests. */
import { expect } from 'vitest'
import { type ShoalErrorCode, isShoalError } from '../../core/errors.ts'
import type { RelayedSignal, TrackerClient } from '../../core/client/tracker-client.ts'

/** Awaits `promise`, which must reject with a ShoalError of `code`; returns that error. */
export async function expectCode(promise: Promise<unknown>, code: ShoalErrorCode): Promise<Error> {
  const err = await promise.then(
    () => {
      throw new Error(`expected a ${code} error, but the call succeeded`)
    },
    (e: unknown) => e,
  )
  if (!isShoalError(err)) throw err
  expect(err.code, err.message).toBe(code)
  return err
}

/** The next signal relayed to `client`. */
export function nextSignal(client: TrackerClient): Promise<RelayedSignal> {
  return new Promise((resolve) => {
    const off = client.onSignal((signal) => {
      off()
      resolve(signal)
    })
  })
}
