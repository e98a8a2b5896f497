/** `shoal`: serve the tracker, seed a file from disk, get a file by its share link, or mint a join token. */
import { Command, InvalidArgumentError, Option } from 'commander'
import { type BandwidthLimiters, bandwidthLimiters } from '../core/bandwidth-limits.ts'
import { ShoalError } from '../core/errors.ts'
import { isAcceptedPieceSize } from '../core/manifest.ts'
import { parseSize } from '../core/rate.ts'
import { DEFAULT_LOG_LEVEL, LOG_LEVELS, parseLogLevel } from '../signaling/logger.ts'
import { get } from './commands/get.ts'
import { seed } from './commands/seed.ts'
import { serve } from './commands/serve.ts'
import { token } from './commands/token.ts'
import { createReporter } from './reporter.ts'
import { terminationSignal } from './termination.ts'

const EXIT_FAILURE = 1
const EXIT_INTERRUPTED = 130

function port(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535')
  return n
}

function positiveSeconds(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds')
  return n
}

const UPLOAD_LIMIT_HELP = 'cap what this process sends, e.g. 2MB/s, 500KB/s, 40Mbit/s, 1MiB/s'
const DOWNLOAD_LIMIT_HELP = 'cap what this process fetches, same units as --upload-limit'
/** Read by `serve --auth-secret`, `token --secret` and `seed --secret`; safer than a flag, which `ps` shows. */
const AUTH_SECRET_ENV = 'SHOAL_AUTH_SECRET'
const DEFAULT_TOKEN_TTL = '1h'
const LOG_LEVEL_ENV = 'SHOAL_LOG_LEVEL'
const REDIS_URL_ENV = 'REDIS_URL'

interface LimitFlags {
  uploadLimit?: string
  downloadLimit?: string
}

/**
 * Parsed inside the command's action rather than as a commander argument parser, so a bad
 * value is reported like every other failure: BAD_INPUT, as JSON with --json, exit 1.
 */
function pieceSizeOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const size = (() => {
    try {
      return parseSize(value)
    } catch {
      return undefined
    }
  })()
  if (!isAcceptedPieceSize(size)) throw new ShoalError('BAD_INPUT', `--piece-size must be a power of two from 16KiB to 8MiB (e.g. 1MiB), not "${value}"`)
  return size
}

function limitsOf(flags: LimitFlags): BandwidthLimiters {
  return bandwidthLimiters({ upload: flags.uploadLimit, download: flags.downloadLimit }, { upload: '--upload-limit', download: '--download-limit' })
}

/** Runs a command with its reporter; maps failures to a message and an exit code, never a stack trace. */
function action<Args extends unknown[]>(run: (reporter: ReturnType<typeof createReporter>, signal: AbortSignal, ...args: Args) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command
    const reporter = createReporter({ json: Boolean(command.opts().json) })
    const signal = terminationSignal()
    try {
      await run(reporter, signal, ...(args.slice(0, -1) as Args))
      reporter.endProgress()
      process.exit(0)
    } catch (err) {
      reporter.error(err)
      if (!(err instanceof ShoalError) && process.env.SHOAL_DEBUG) console.error(err)
      process.exit(err instanceof ShoalError && err.code === 'ABORTED' ? EXIT_INTERRUPTED : EXIT_FAILURE)
    }
  }
}

export function buildCli(): Command {
  const program = new Command('shoal')
    .description('Peer-to-peer distribution of large files to browsers and machines over WebRTC')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) })

  program
    .command('serve')
    .description('run the tracker/signaling service and the web app')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', port, 8080)
    .addOption(
      new Option('--auth-secret <secret>', 'make every swarm private: require join tokens signed with this secret (at least 32 bytes)').env(
        AUTH_SECRET_ENV,
      ),
    )
    .addOption(
      new Option('--log-level <level>', `JSON log lines on stderr: ${LOG_LEVELS.join(', ')}`).env(LOG_LEVEL_ENV).default(DEFAULT_LOG_LEVEL),
    )
    .addOption(
      new Option('--redis <url>', 'run as one with every shoal serve given this Redis (redis://host:port); state is in memory without').env(
        REDIS_URL_ENV,
      ),
    )
    .option('--peer-ttl <seconds>', 'with --redis: forget a peer this long after its last announce (default 30)')
    .option(
      '--allow-origin <origin>',
      'let pages of this origin use the tracker (the <shoal-download> widget), e.g. https://portal.example; repeat or comma-separate',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--json', 'print one JSON object per line')
    .action(
      action((reporter, signal, opts: { host: string; port: number; authSecret?: string; logLevel: string; redis?: string; peerTtl?: string; allowOrigin: string[] }) =>
        // Checked here rather than by commander, so a bad level is a BAD_INPUT like any other failure.
        serve({ ...opts, logLevel: parseLogLevel(opts.logLevel, `--log-level (or ${LOG_LEVEL_ENV})`) }, reporter, signal),
      ),
    )

  program
    .command('seed')
    .description('hash a file, publish it and serve it to peers until interrupted')
    .argument('<file>', 'the file to share')
    .requiredOption('--tracker <url>', 'tracker URL, e.g. http://127.0.0.1:8080')
    .option('--upload-limit <rate>', UPLOAD_LIMIT_HELP)
    .option('--download-limit <rate>', DOWNLOAD_LIMIT_HELP)
    .option('--piece-size <size>', 'piece size, a power of two from 16KiB to 8MiB (default: about 1000-2000 pieces, at least 256KiB)')
    .option('--token <token>', "a private tracker's join token for this file's id")
    .addOption(new Option('--secret <secret>', "a private tracker's auth secret, to mint its own join tokens").env(AUTH_SECRET_ENV))
    .option('--json', 'print one JSON object per line')
    .action(
      action((reporter, signal, file: string, opts: { tracker: string; pieceSize?: string; token?: string; secret?: string } & LimitFlags) =>
        // Options are read before hashing: a typo must not cost a pass over a many-GB file.
        seed(
          file,
          {
            tracker: opts.tracker,
            limits: limitsOf(opts),
            pieceSize: pieceSizeOf(opts.pieceSize),
            admission: { token: opts.token, secret: opts.secret },
          },
          reporter,
          signal,
        ),
      ),
    )

  program
    .command('get')
    .description('download the file behind a share link, verifying every piece')
    .argument('<link>', 'share link <tracker url>/s/<id> (or a bare id with --tracker)')
    .option('-o, --output <path>', 'where to write the file (a file or an existing directory)')
    .option('--tracker <url>', 'tracker URL, overriding the one in the link')
    .option('--timeout <seconds>', 'give up when no data arrives for this long', positiveSeconds, 60)
    .option('--upload-limit <rate>', UPLOAD_LIMIT_HELP)
    .option('--download-limit <rate>', DOWNLOAD_LIMIT_HELP)
    .option('--keep-seeding', 'after saving the file, keep serving it to peers until interrupted')
    .option('--token <token>', "a private tracker's join token for this swarm")
    .option('--json', 'print one JSON object per line')
    .action(
      action(
        (
          reporter,
          signal,
          link: string,
          opts: { output?: string; tracker?: string; timeout: number; keepSeeding?: boolean; token?: string } & LimitFlags,
        ) =>
          get(
            link,
            {
              output: opts.output,
              tracker: opts.tracker,
              timeoutSeconds: opts.timeout,
              limits: limitsOf(opts),
              keepSeeding: Boolean(opts.keepSeeding),
              token: opts.token,
            },
            reporter,
            signal,
          ),
      ),
    )

  program
    .command('token')
    .description("mint a join token for a private tracker's swarm (for a portal backend to hand out)")
    .argument('<id|link>', 'the swarm: a share link or a bare 64-hex id')
    .addOption(new Option('--secret <secret>', "the tracker's auth secret").env(AUTH_SECRET_ENV))
    .option('--ttl <duration>', 'how long the token admits its holder, e.g. 30m, 1h, 7d', DEFAULT_TOKEN_TTL)
    .option('--json', 'print one JSON object per line')
    .action(action((reporter, _signal, target: string, opts: { secret?: string; ttl: string }) => token(target, opts, reporter)))

  return program
}
