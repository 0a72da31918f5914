import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchHeadlessChromium, type HeadlessChromium } from './headlessChromium.ts';
import { START_TIMEOUT, startServedService, type ServedService } from './servedService.ts';

/** Where the screenshot is kept (gitignored; CI keeps the folder as the run's artifact). */
const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts');
const WAIT = { timeout: 60_000 };

interface Item {
  readonly itemId: string;
  readonly title: string | null;
}

/**
 * The playground in real headless Chromium against `marquee serve` in a child process: the page
 * loads with the key from its fragment, shows recommendations for a history it builds through
 * the catalog search, a watch posted from a card changes them, and the model run on the device
 * by onnxruntime-web gives the API's top 10 for the same history.
 */
describe('the playground in headless Chromium', () => {
  let dataDir: string;
  let service: ServedService;
  let browser: HeadlessChromium;
  let page: Page;
  /** Every URL the page asked for. */
  const requested: string[] = [];
  const api = async <T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { 'x-api-key': service.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status, `${method} ${path}`).toBeLessThan(300);
    return (await response.json()) as T;
  };
  const cardIds = (selector: string) =>
    page.$$eval(`${selector} .card`, (cards) => cards.map((card) => card.getAttribute('data-item-id') ?? ''));
  const historyIds = () => page.$$eval('#history li', (rows) => rows.map((row) => row.getAttribute('data-item-id') ?? ''));
  /** Waits for the recommendations of the page's current history and preferences, in one mode. */
  const recommendationsReady = async (mode: 'api' | 'device') => {
    await page.waitForSelector(`#recommendations[data-state="ready"][data-mode="${mode}"]`, WAIT);
    return cardIds('#recommendations');
  };
  const apiTop10 = async (history: readonly string[], preferences: Record<string, string> = {}) =>
    (await api<{ items: Item[] }>('POST', '/v1/recommendations', { history, preferences, count: 10 })).items.map((item) => item.itemId);

  beforeAll(async () => {
    browser = await launchHeadlessChromium();
    dataDir = await mkdtemp(join(tmpdir(), 'marquee-playground-'));
    service = await startServedService(dataDir, `pg-${randomBytes(16).toString('hex')}`);
    page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => void requested.push(request.url()));
    await page.goto(`${service.url}/#key=${service.key}`);
    await page.waitForSelector('#recommendations[data-state="ready"]', WAIT);
    expect(problems).toEqual([]);
  }, START_TIMEOUT + 60_000);
  afterAll(async () => {
    await browser?.close();
    if (service) await service.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('loads with the key from the fragment (then drops it from the address), popular titles, a sample viewer, the model and its chart', async () => {
    expect(new URL(page.url()).hash).toBe('');
    const popular = await api<{ items: Item[] }>('GET', '/v1/popular?count=10');
    expect(await cardIds('#popular')).toEqual(popular.items.map((item) => item.itemId));
    expect((await cardIds('#sample')).length).toBeGreaterThan(0);
    const model = await api<{ version: string }>('GET', '/v1/model');
    expect(await page.textContent('#model-line')).toContain(model.version);
    expect(await page.textContent('#metrics')).toContain('ndcgAt10');
    await page.waitForSelector('#chart:not([hidden])', WAIT);
    expect(await page.$eval('#chart', (img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
  });

  it('builds a history through the catalog search and shows the API recommendations for it as cards', async () => {
    const popular = (await api<{ items: Item[] }>('GET', '/v1/popular?count=3')).items;
    for (const item of popular) {
      await page.fill('#search', item.title ?? item.itemId);
      await page.click(`#search-results li[data-item-id="${item.itemId}"] button`);
    }
    expect(await historyIds()).toEqual(popular.map((item) => item.itemId));
    const shown = await recommendationsReady('api');
    expect(shown).toHaveLength(10);
    expect(shown).toEqual(await apiTop10(popular.map((item) => item.itemId)));
    for (const id of popular.map((item) => item.itemId)) expect(shown).not.toContain(id);
    const first = page.locator('#recommendations .card').first();
    expect(await first.locator('.title').textContent()).toBeTruthy();
    expect(await first.locator('.score').textContent()).toMatch(/^score -?\d+\.\d{3}$/);
    expect(await page.locator('#recommendations .because').count()).toBeGreaterThan(0);
  });

  it('marks a title watched: the event is in the viewer history, and the recommendations change', async () => {
    const before = await recommendationsReady('api');
    const watched = before[0];
    await page.click(`#recommendations .card[data-item-id="${watched}"] button.watch`);
    await page.waitForSelector(`#recommendations .card[data-item-id="${watched}"]`, { state: 'detached', ...WAIT });
    const after = await recommendationsReady('api');
    expect(after).not.toEqual(before);
    expect(after).not.toContain(watched);
    expect(await historyIds()).toContain(watched);
    const viewer = (await page.textContent('#viewer')) ?? '';
    const history = await api<{ items: { itemId: string; type: string }[] }>('GET', `/v1/users/${encodeURIComponent(viewer)}/history`);
    expect(history.items.map((entry) => [entry.itemId, entry.type])).toEqual([[watched, 'watch']]);
    expect(after).toEqual(await apiTop10(await historyIds()));
  });

  it('runs the model on the device: downloaded once, sha256 verified, the same top 10 as the API', async () => {
    const history = await historyIds();
    await page.check('#on-device');
    const onDevice = await recommendationsReady('device');
    expect(await page.textContent('#device-status')).toContain('sha256 verified');
    expect(onDevice).toEqual(await apiTop10(history));

    const genre = await page.$eval('#genre option:nth-child(2)', (option) => option.getAttribute('value') ?? '');
    await page.selectOption('#genre', genre);
    const withGenre = await recommendationsReady('device');
    expect(withGenre).toEqual(await apiTop10(history, { genre }));
    expect(withGenre).not.toEqual(onDevice);
    await page.selectOption('#genre', '');
    expect(await recommendationsReady('device')).toEqual(onDevice);

    await page.uncheck('#on-device');
    expect(await recommendationsReady('api')).toEqual(onDevice);
    await page.check('#on-device');
    expect(await recommendationsReady('device')).toEqual(onDevice);
    expect(requested.filter((url) => new URL(url).pathname.endsWith('/model.onnx'))).toHaveLength(1);
    expect(requested.filter((url) => new URL(url).pathname.startsWith('/vendor/onnxruntime-web/'))).not.toHaveLength(0);
    expect(requested.filter((url) => !url.startsWith(service.url) && !url.startsWith('http://127.0.0.1:'))).toEqual([]);
  });

  it('shows similar titles for a clicked card, and keeps a screenshot', async () => {
    const id = (await cardIds('#recommendations'))[0];
    await page.click(`#recommendations .card[data-item-id="${id}"] .title`);
    await page.waitForSelector('#similar .card', WAIT);
    const similar = await api<{ items: Item[] }>('GET', `/v1/items/${encodeURIComponent(id)}/similar?count=6`);
    expect(await cardIds('#similar')).toEqual(similar.items.map((item) => item.itemId));
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground.png'), fullPage: true });
  });
});
