/** `npm run simulate`'s command line: a bad option is one clear line and a non-zero exit; a good run prints its JSON. */
import { execFile, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { SimResult } from '../../sim/simulation.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url))
const execFileAsync = promisify(execFile)

async function simulateCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(TSX, ['sim/cli.ts', ...args], { cwd: ROOT })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('simulate command line', () => {
  it.each([
    [['--peers', 'abc'], /--peers <n>.*'abc' is invalid.*whole number/],
    [['--peers', '0'], /--peers <n>.*'0' is invalid/],
    [['--size', '1XB'], /--size <size>.*not a size/],
    [['--bandwidth', '1Gbit/s,zz'], /--bandwidth <rates>.*not a rate: "zz"/],
    [['--latency', 'fast'], /--latency <ms>.*not a duration/],
    [['--piece-size', '3MB'], /--piece-size <size>.*power of two/],
    [['--churn', '1.5'], /--churn <fraction>.*fraction from 0 to 1/],
    [['--granularity', 'bytes'], /--granularity <mode>.*Allowed choices are block, piece, flow, auto/],
    [['--sweep', '10,x'], /--sweep <list>.*'10,x' is invalid/],
  ])('refuses %j with one clear line', async (args, message) => {
    const { code, stdout, stderr } = await simulateCli(args)
    expect(code).not.toBe(0)
    expect(stdout).toBe('')
    expect(stderr).toMatch(message)
    expect(stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('runs a small swarm and prints the result as JSON', async () => {
    const { code, stdout } = await simulateCli(['--peers', '4', '--size', '2MB', '--bandwidth', '8Mbit/s', '--latency', '5ms', '--granularity', 'flow', '--json'])
    expect(code).toBe(0)
    const result = JSON.parse(stdout) as SimResult
    expect(result).toMatchObject({ peers: 4, sizeBytes: 2_000_000, bandwidth: 1_000_000, latencyMs: 5, granularity: 'flow', completed: 4 })
    expect(result.maxSeconds).toBeGreaterThanOrEqual(result.idealSeconds)
  })

  it('ends quietly when its reader stops early (as `| head` does)', async () => {
    const child = spawn(TSX, ['sim/cli.ts', '--peers', '4', '--size', '2MB', '--granularity', 'flow'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    // Closed before the command has loaded, so its first write meets a closed pipe.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(stderr).toBe('')
    expect(code).toBe(0)
  })
})
