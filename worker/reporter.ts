/**
 * What the CLI tells its user: one JSON object per line with --json (for scripts), otherwise
 * plain lines plus a live progress bar when stderr is a terminal.
 */
import cliProgress from 'cli-progress'
import { ShoalError } from '../core/errors.ts'
import { formatBytes, formatRate } from '../core/format.ts'

export interface ProgressUpdate {
  label: string
  done: number
  total: number
  rate?: number
  peers?: number
}

export interface Reporter {
  /** A milestone. JSON mode prints `{"event":name,...fields}`; human mode prints `text`. */
  event(name: string, fields: Record<string, unknown>, text?: string): void
  progress(update: ProgressUpdate): void
  endProgress(): void
  error(err: unknown): void
}

/** JSON progress lines at most this often. */
const JSON_PROGRESS_INTERVAL_MS = 1000

export function createReporter(options: { json: boolean; stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream }): Reporter {
  const stdout = options.stdout ?? process.stdout
  const stderr = options.stderr ?? process.stderr
  return options.json ? new JsonReporter(stdout) : new HumanReporter(stdout, stderr)
}

class JsonReporter implements Reporter {
  #lastProgressAt = 0
  constructor(private readonly out: NodeJS.WritableStream) {}

  event(name: string, fields: Record<string, unknown>): void {
    this.out.write(JSON.stringify({ event: name, ...fields }) + '\n')
  }

  progress(update: ProgressUpdate): void {
    const now = Date.now()
    if (now - this.#lastProgressAt < JSON_PROGRESS_INTERVAL_MS && update.done < update.total) return
    this.#lastProgressAt = now
    this.event('progress', { ...update })
  }

  endProgress(): void {}

  error(err: unknown): void {
    const { code, message } = describe(err)
    this.event('error', { code, message })
  }
}

class HumanReporter implements Reporter {
  #bar: cliProgress.SingleBar | undefined
  #label = ''

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly err: NodeJS.WriteStream,
  ) {}

  event(_name: string, _fields: Record<string, unknown>, text?: string): void {
    if (text === undefined) return
    if (this.#bar) this.err.write('\n')
    this.out.write(text + '\n')
  }

  progress(update: ProgressUpdate): void {
    if (!this.err.isTTY) return
    const payload = {
      label: update.label.padEnd(11),
      amount: `${formatBytes(update.done)} / ${formatBytes(update.total)}`,
      rate: update.rate === undefined ? '' : formatRate(update.rate),
      peers: update.peers === undefined ? '' : `${update.peers} peer${update.peers === 1 ? '' : 's'}`,
    }
    if (!this.#bar || this.#label !== update.label) {
      this.endProgress()
      this.#label = update.label
      this.#bar = new cliProgress.SingleBar(
        { stream: this.err, format: '{label} {bar} {percentage}% | {amount} | {rate} | {peers}', hideCursor: true, barsize: 30 },
        cliProgress.Presets.shades_classic,
      )
      this.#bar.start(Math.max(update.total, 1), update.done, payload)
    }
    this.#bar.update(update.done, payload)
  }

  endProgress(): void {
    this.#bar?.stop()
    this.#bar = undefined
  }

  error(err: unknown): void {
    this.endProgress()
    this.err.write(`shoal: ${describe(err).message}\n`)
  }
}

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof ShoalError) return { code: err.code, message: err.message }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) }
}
