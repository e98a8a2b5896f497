/**
 * `shoal get --keep-seeding` over real WebRTC: the finished file is in place when `done` is
 * printed, the process goes on serving it after the original seeder has gone, and its final
 * `stopped` event counts what it uploaded.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TrackerServer, startTrackerServer } from '../../signaling/server.ts'
import { runCli } from '../support/cli.ts'
import { randomData, sha256Of } from '../support/data.ts'

const MiB = 1024 * 1024

let server: TrackerServer
let dir: string

beforeAll(async () => {
  server = await startTrackerServer({ port: 0 })
  dir = await mkdtemp(join(tmpdir(), 'shoal-keep-seeding-'))
})

afterAll(async () => {
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('shoal get --keep-seeding', () => {
  it('serves a second leecher after the original seeder stopped, then reports what it uploaded', async () => {
    const data = randomData(8 * MiB)
    const source = join(dir, 'source.bin')
    await writeFile(source, data)
    const seeder = runCli(['seed', source, '--tracker', server.url])
    const { link } = await seeder.waitFor('seeding')

    // The limit flags ride along: generous enough not to slow the test, present to prove they parse and pass through.
    const first = runCli(['get', String(link), '-o', join(dir, 'first.bin'), '--keep-seeding', '--upload-limit', '100MB/s'])
    const firstDone = await first.waitFor('done')
    expect(firstDone.sha256).toBe(sha256Of(data))
    expect(firstDone.downloaded).toBe(data.length)
    // In its final place as soon as `done` is out, while the process is still running.
    expect(sha256Of(await readFile(join(dir, 'first.bin')))).toBe(sha256Of(data))
    expect(first.child.exitCode).toBeNull()

    seeder.child.kill('SIGTERM')
    await seeder.waitFor('stopped')
    expect((await seeder.exit).code).toBe(0)

    // Only `first` holds the file now.
    const second = runCli(['get', String(link), '-o', join(dir, 'second.bin')])
    const secondDone = await second.waitFor('done')
    expect(secondDone.sha256).toBe(sha256Of(data))
    expect((await second.exit).code).toBe(0)

    first.child.kill('SIGINT')
    const stopped = await first.waitFor('stopped')
    expect((await first.exit).code).toBe(0)
    expect(stopped.uploaded as number).toBeGreaterThanOrEqual(data.length)
  })
})
