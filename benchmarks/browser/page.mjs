// The page's script (bundled by esbuild): builds the steps and exposes `runBrowserBench` to the driver.
// The store rows come from a second script (store-page.mjs), loaded after these ran.
import { runSteps } from './runner.mjs';
import { coreSteps } from './steps.mjs';

/** Runs every step in this page and returns the results with the facts the table needs. */
globalThis.runBrowserBench = async ({ n, settings, filter }) => {
  const results = await runSteps(await coreSteps(n), settings, filter, (line) => console.log(line));
  return { results, userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated === true };
};
