/**
 * Builds the web app before the e2e tests, so `npm run test:e2e` never tests a stale
 * dist/web. scripts/test.sh builds it just before and sets SHOAL_WEB_BUILT=1 to skip this.
 */
import { build } from 'vite'
import { VITE_CONFIG } from './paths.ts'

export default async function globalSetup(): Promise<void> {
  if (process.env.SHOAL_WEB_BUILT === '1') return
  await build({ configFile: VITE_CONFIG, logLevel: 'warn' })
}
