import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: renders the HTML report in headless Chromium (Debian's `chromium`). Kept out
 * of `npm test` (vitest.config.ts only finds `*.test.ts`): it needs a browser, which CI runs it with
 * only when one is installed (.ci/run).
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.check.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
