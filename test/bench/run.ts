/**
 * `npm run bench [-- <name>...]`: runs the named benchmarks (default: all in registry.ts) one
 * after another, prints each table and writes bench-results/ (see report.ts). Runs inside the
 * network namespace from scripts/with-netns.sh, like every WebRTC test.
 */
import { benchmarks } from './registry.ts'
import { RESULTS_DIR, currentLoad, writeReadme, writeResult } from './report.ts'

async function main(): Promise<number> {
  const known = Object.keys(benchmarks)
  const asked = process.argv.slice(2).filter((a) => a !== '--')
  const unknown = asked.filter((n) => !known.includes(n))
  if (unknown.length > 0) {
    console.error(`bench: unknown benchmark ${unknown.join(', ')}; known: ${known.join(', ')}`)
    return 2
  }
  let failed = 0
  for (const name of asked.length > 0 ? asked : known) {
    const loadBefore = currentLoad()
    console.log(`\n==> bench ${name} (load average ${loadBefore})`)
    // Two small cores: another benchmark or build running at the same time skews every number.
    if (loadBefore > 1) console.warn('bench: the machine is busy; results will be noisy')
    const startedAt = new Date()
    const t0 = performance.now()
    try {
      const result = await benchmarks[name]!()
      await writeResult(result, { startedAt, durationMs: performance.now() - t0, loadBefore })
      console.log(`\n${result.title}\n\n${result.table}\n`)
      if (result.notes) console.log(`${result.notes.trim()}\n`)
    } catch (err) {
      failed++
      console.error(`bench ${name} failed:`, err)
    }
  }
  await writeReadme(known).catch(() => undefined)
  console.log(`results in ${RESULTS_DIR}`)
  return failed > 0 ? 1 : 0
}

// Native WebRTC threads (@roamhq/wrtc) can keep the process alive after every peer closed.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
