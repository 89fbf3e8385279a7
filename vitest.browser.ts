// Shared settings of every package's browser test run (`pnpm test:browser` in a package): vitest's
// browser mode with the Playwright provider, driving the machine's Chromium. Browsers cannot be
// downloaded here, so Playwright never fetches one: it starts the executable at TX2_CHROMIUM, or
// Debian's /usr/bin/chromium (`.ci/run` installs it when missing).
import { playwright } from '@vitest/browser-playwright';
import type { ViteUserConfig } from 'vitest/config';

/** The Chromium executable the browser tests drive. */
export const chromiumPath: string = process.env.TX2_CHROMIUM ?? '/usr/bin/chromium';

/** Command-line flags for a headless Chromium on a closed network, as root, without a GPU. */
export const chromiumArgs: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A vitest config that runs `include` in headless Chromium. */
export function browserTestConfig(include: string[], exclude: string[] = []): ViteUserConfig {
  return {
    test: {
      include,
      exclude,
      // Generous limits: CI must pass on a loaded 2-core machine (no test asserts on speed).
      testTimeout: 180_000,
      hookTimeout: 120_000,
      fileParallelism: false,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({ launchOptions: { executablePath: chromiumPath, args: [...chromiumArgs] } }),
        instances: [{ browser: 'chromium' }],
      },
    },
  };
}
