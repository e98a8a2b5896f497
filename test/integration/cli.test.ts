/** The CLI's failure modes: each a clear message, a stable code and a non-zero exit. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import { type TrackerServer, startTrackerServer } from '../../signaling/server.ts'
import { runCli } from '../support/cli.ts'
import { manifestFor, randomData } from '../support/data.ts'

let server: TrackerServer
let dir: string

beforeAll(async () => {
  server = await startTrackerServer({ port: 0 })
  dir = await mkdtemp(join(tmpdir(), 'shoal-cli-'))
})

afterAll(async () => {
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

async function failure(args: string[]) {
  const run = runCli(args, { cwd: dir })
  const error = await run.waitFor('error')
  const { code, stderr } = await run.exit
  expect(stderr).not.toMatch(/\n\s+at /) // no stack trace
  return { error, code }
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

const someId = 'ab'.repeat(32)

describe('shoal CLI errors', () => {
  it('rejects a malformed link', async () => {
    const { error, code } = await failure(['get', 'http://example/not-a-link'])
    expect(error.code).toBe('BAD_LINK')
    expect(code).toBe(1)
  })

  it('reports an unreachable tracker', async () => {
    const { error, code } = await failure(['get', `http://127.0.0.1:${await closedPort()}/s/${someId}`])
    expect(error.code).toBe('TRACKER_UNREACHABLE')
    expect(code).toBe(1)
  })

  it('reports an id the tracker does not know', async () => {
    const { error, code } = await failure(['get', `${server.url}/s/${someId}`])
    expect(error.code).toBe('NOT_FOUND')
    expect(code).toBe(1)
  })

  it('gives up when no peer delivers within the timeout', async () => {
    const { json, id } = await manifestFor(randomData(100_000), 16 * 1024, 'orphan.bin')
    const client = await TrackerClient.connect(server.url)
    await client.publishManifest(json)
    client.close()
    const { error, code } = await failure(['get', `${server.url}/s/${id}`, '--timeout', '1'])
    expect(error.code).toBe('NO_PEERS')
    expect(code).toBe(1)
  })

  it('refuses to overwrite an existing file', async () => {
    const { json, id } = await manifestFor(randomData(1000), 16 * 1024, 'exists.bin')
    const client = await TrackerClient.connect(server.url)
    await client.publishManifest(json)
    client.close()
    await writeFile(join(dir, 'exists.bin'), 'keep me')
    const { error } = await failure(['get', `${server.url}/s/${id}`])
    expect(error.code).toBe('BAD_INPUT')
    expect(String(error.message)).toContain('already exists')
  })

  it('rejects a bandwidth limit that is not a rate, before doing any work', async () => {
    // The file does not exist: the limit must be refused before seed even looks at it.
    const seed = await failure(['seed', join(dir, 'nope.bin'), '--tracker', server.url, '--upload-limit', '2 megs'])
    expect(seed.error.code).toBe('BAD_INPUT')
    expect(String(seed.error.message)).toContain('--upload-limit')
    expect(String(seed.error.message)).toContain('"2 megs"')
    expect(seed.code).toBe(1)

    const get = await failure(['get', `${server.url}/s/${someId}`, '--download-limit', '0MB/s'])
    expect(get.error.code).toBe('BAD_INPUT')
    expect(String(get.error.message)).toContain('--download-limit')
    expect(get.code).toBe(1)
  })

  it('rejects a piece size that peers would not accept, before hashing', async () => {
    for (const value of ['3MB', '16MiB', 'big']) {
      const { error, code } = await failure(['seed', join(dir, 'nope.bin'), '--tracker', server.url, '--piece-size', value])
      expect(error.code).toBe('BAD_INPUT')
      expect(String(error.message)).toContain(`--piece-size must be a power of two from 16KiB to 8MiB (e.g. 1MiB), not "${value}"`)
      expect(code).toBe(1)
    }
  })

  it('reports a missing file to seed', async () => {
    const { error } = await failure(['seed', join(dir, 'nope.bin'), '--tracker', server.url])
    expect(error.code).toBe('IO')
    expect(String(error.message)).toContain('no such file')
  })
})
