#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx shoal` needs no build step.
import { register } from 'tsx/esm/api'

register()
const { buildCli } = await import('../worker/cli.ts')
await buildCli().parseAsync(process.argv)
