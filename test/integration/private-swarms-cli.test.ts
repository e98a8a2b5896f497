/**
 * Private swarms from the command line, over real WebRTC: `shoal serve --auth-secret`, a
 * `shoal seed --secret` that mints its own tokens, `shoal token` minting one for a leecher, and
 * `shoal get --token` downloading the file byte for byte; without a token, NOT_ADMITTED.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, runCli } from '../support/cli.ts'
import { randomData, sha256Of } from '../support/data.ts'

const SECRET = 'cli-private-swarm-secret-0123456789abcdef'
const MiB = 1024 * 1024

let dir: string
const running: CliRun[] = []

function start(args: string[]): CliRun {
  const run = runCli(args, { cwd: dir })
  running.push(run)
  return run
}

async function failure(args: string[]) {
  const run = start(args)
  const error = await run.waitFor('error')
  const { code, stderr } = await run.exit
  expect(stderr).not.toMatch(/\n\s+at /) // no stack trace
  return { error, code }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-private-cli-'))
})

afterAll(async () => {
  for (const run of running) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM')
  await Promise.all(running.map((run) => run.exit))
  await rm(dir, { recursive: true, force: true })
})

describe('private swarms from the CLI', () => {
  it('serve refuses a short secret', async () => {
    const { error, code } = await failure(['serve', '--port', '0', '--auth-secret', 'too-short'])
    expect(error.code).toBe('BAD_INPUT')
    expect(error.message).toContain('at least 32 bytes')
    expect(code).toBe(1)
  })

  it('a token from `shoal token` lets `get --token` download from `seed --secret`; without one, NOT_ADMITTED', async () => {
    const tracker = start(['serve', '--port', '0', '--auth-secret', SECRET])
    const { url, private: isPrivate } = await tracker.waitFor('listening')
    expect(isPrivate).toBe(true)

    const data = randomData(4 * MiB)
    const source = join(dir, 'private.bin')
    await writeFile(source, data)

    // A seeder without the secret or a token is turned away before it serves anything.
    const refusedSeed = await failure(['seed', source, '--tracker', String(url)])
    expect(refusedSeed.error.code).toBe('NOT_ADMITTED')
    expect(refusedSeed.code).toBe(1)

    const seeder = start(['seed', source, '--tracker', String(url), '--secret', SECRET])
    const { link, id } = await seeder.waitFor('seeding')

    // No token: refused, with a message that says what to do, and nothing about the file.
    const noToken = await failure(['get', String(link), '-o', join(dir, 'no-token.bin')])
    expect(noToken.error.code).toBe('NOT_ADMITTED')
    expect(noToken.error.message).toMatch(/no join token was given.*--token/)
    expect(noToken.error.message).not.toContain('private.bin')
    expect(noToken.code).toBe(1)

    // The portal backend's part: mint a token for this link (by link, or by bare id). Also a
    // token for another swarm, and one signed with another secret.
    const minted = start(['token', String(link), '--secret', SECRET, '--ttl', '10m'])
    const otherSwarm = start(['token', 'ab'.repeat(32), '--secret', SECRET])
    const forged = start(['token', String(id), '--secret', 'x'.repeat(40)])
    const [{ token, expiresAt }, { token: wrongSwarm }, { token: forgedToken }] = await Promise.all([
      minted.waitFor('token'),
      otherSwarm.waitFor('token'),
      forged.waitFor('token'),
    ])
    expect((await minted.exit).code).toBe(0)
    expect(Date.parse(String(expiresAt)) - Date.now()).toBeGreaterThan(8 * 60_000)
    expect(Date.parse(String(expiresAt)) - Date.now()).toBeLessThanOrEqual(10 * 60_000)

    const [wrongSwarmRun, forgedRun] = await Promise.all([
      failure(['get', String(link), '--token', String(wrongSwarm), '-o', join(dir, 'wrong.bin')]),
      failure(['get', String(link), '--token', String(forgedToken), '-o', join(dir, 'forged.bin')]),
    ])
    expect(wrongSwarmRun.error.code).toBe('NOT_ADMITTED')
    expect(wrongSwarmRun.error.message).toContain('another swarm')
    expect(forgedRun.error.code).toBe('NOT_ADMITTED')

    const getter = start(['get', String(link), '--token', String(token), '-o', join(dir, 'downloaded.bin')])
    const done = await getter.waitFor('done')
    expect(done.sha256).toBe(sha256Of(data))
    expect((await getter.exit).code).toBe(0)
    expect(sha256Of(await readFile(join(dir, 'downloaded.bin')))).toBe(sha256Of(data))

    seeder.child.kill('SIGTERM')
    await seeder.waitFor('stopped')
    expect((await seeder.exit).code).toBe(0)
    tracker.child.kill('SIGTERM')
    expect((await tracker.exit).code).toBe(0)
  })

  it('token refuses a missing secret, a bad lifetime and something that is not a swarm', async () => {
    const [noSecret, badTtl, notSwarm] = await Promise.all([
      failure(['token', 'ab'.repeat(32)]),
      failure(['token', 'ab'.repeat(32), '--secret', SECRET, '--ttl', 'soon']),
      failure(['token', 'not-a-swarm', '--secret', SECRET]),
    ])
    expect(noSecret.error.code).toBe('BAD_INPUT')
    expect(noSecret.error.message).toContain('SHOAL_AUTH_SECRET')
    expect(badTtl.error.code).toBe('BAD_INPUT')
    expect(notSwarm.error.code).toBe('BAD_LINK')
  })
})
