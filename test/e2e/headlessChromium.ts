import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium package: playwright-core drives it; no browser is downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

/** Offline and quiet: nothing but the pages the test opens goes over the network. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface HeadlessChromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile (removed on close). Fails, never skips, when the browser
 * is missing: CI installs it (`.ci/run`), and a developer gets the command that does.
 */
export async function launchHeadlessChromium(viewport = { width: 1400, height: 1000 }): Promise<HeadlessChromium> {
  try {
    await access(CHROMIUM);
  } catch {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get update && apt-get install -y chromium; .ci/run installs it)`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'marquee-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
