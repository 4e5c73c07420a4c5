import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HarnessTheme } from '../host/api';
import type {} from '../host/globals';
import { HARNESS_DIR, HOST_DIST_DIR } from '../server/paths';
import type { HarnessServer } from '../server/server';

/** Debian's chromium; `PLENUM_CHROMIUM` points elsewhere (playwright's own download cannot work here). */
export const CHROMIUM_PATH = process.env.PLENUM_CHROMIUM ?? '/usr/bin/chromium';

/** Where `screenshot()` writes; PNGs there are git-ignored unless whitelisted in its .gitignore. */
export const SCREENSHOT_DIR = path.join(HARNESS_DIR, 'screenshots');

/** Every wait in these helpers, in ms. */
const TIMEOUT_MS = 20_000;

/**
 * Fails with what to do when the host bundle or a plugin's build is missing, instead of a page that never loads.
 * @param pluginDirs built plugin directories (`dist/`) the test serves
 */
export function requireBuilt(...pluginDirs: string[]): void {
  const missing = [
    ...['host.js', 'host.css'].map((f) => path.join(HOST_DIST_DIR, f)),
    ...pluginDirs.flatMap((dir) => ['plugin.json', 'module.js'].map((f) => path.join(dir, f))),
  ].filter((file) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(`${missing.map((f) => path.relative(process.cwd(), f)).join(', ')} missing: run npm run build`);
  }
}

/** Headless Debian chromium, sandbox and background services off. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: apt-get install chromium (or set PLENUM_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    timeout: TIMEOUT_MS,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

const collected = new WeakMap<Page, string[]>();

/** Console errors and uncaught page errors seen since `openHarness`, as `console: …` / `pageerror: …` lines. */
export function pageErrors(page: Page): string[] {
  return collected.get(page) ?? [];
}

export interface OpenHarnessOptions {
  /** @default 'dark' */
  theme?: HarnessTheme;
  /** @default 1280×800 */
  viewport?: { width: number; height: number };
  /**
   * the login to sign in as (`?user=`), one of the server's users — by default `admin` (Admin), `editor` (Editor)
   * and `viewer` (Viewer). The page's boot data carries the user's role; the proxy checks it. @default the first user
   */
  user?: string;
}

/**
 * A new page (own browser context) on the harness, returned once `window.harness.ready` resolved; console errors
 * and page errors are collected from the start (`pageErrors(page)`). Close it with `page.context().close()`.
 */
export async function openHarness(
  browser: Browser,
  server: HarnessServer,
  options: OpenHarnessOptions = {},
): Promise<Page> {
  requireBuilt();
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  collected.set(page, errors);
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  const user = options.user ? `&user=${encodeURIComponent(options.user)}` : '';
  await page.goto(`${server.url}?theme=${options.theme ?? 'dark'}${user}`, { timeout: TIMEOUT_MS });
  await withTimeout(
    page.evaluate(() => window.harness.ready),
    TIMEOUT_MS,
    () => `window.harness.ready did not resolve; page errors: ${errors.join(' | ') || 'none'}`,
  );
  return page;
}

/** Saves a PNG of the page, or of the element `selector` matches, as `screenshots/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string, selector?: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  if (selector) await page.locator(selector).screenshot({ path: file, animations: 'disabled' });
  else await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}

/** `promise`, or a rejection with `message()` after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A text drawn on a canvas (uPlot's axis ticks): where, in CSS px of its canvas, and the canvas's CSS width. */
export interface CanvasText {
  text: string;
  x: number;
  y: number;
  canvasWidth: number;
}

/** Patches `fillText` to log each text with its position and canvas (runs in the page; idempotent, clears the log). */
function installCanvasTextLog(): void {
  const w = window as unknown as { __canvasText?: Array<{ text: string; x: number; y: number; canvas: unknown }> };
  if (w.__canvasText) {
    w.__canvasText.length = 0;
    return;
  }
  const log: Array<{ text: string; x: number; y: number; canvas: unknown }> = (w.__canvasText = []);
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text, x, y, ...rest) {
    // the transform uPlot set (device pixel ratio, axis rotation) maps the point to canvas pixels
    const p = this.getTransform().transformPoint(new DOMPoint(x, y));
    const scale = this.canvas.width / (this.canvas.getBoundingClientRect().width || this.canvas.width);
    log.push({ text: String(text), x: p.x / scale, y: p.y / scale, canvas: this.canvas });
    return fillText.call(this, text, x, y, ...rest);
  };
}

/**
 * Records the text the page draws on canvases (uPlot draws axis ticks with `fillText`), so a test can read an axis
 * as a person does: from now on, or from the page's next navigation on (`'navigation'`, for what draws at load).
 * Read it with `canvasTexts`.
 */
export async function recordCanvasText(page: Page, from: 'now' | 'navigation' = 'now'): Promise<void> {
  if (from === 'navigation') await page.addInitScript(installCanvasTextLog);
  else await page.evaluate(installCanvasTextLog);
}

/** The texts recorded since `recordCanvasText` on the canvases inside `selector`, each distinct text once (the last). */
export async function canvasTexts(page: Page, selector: string): Promise<CanvasText[]> {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel);
    const log = (window as unknown as { __canvasText?: Array<{ text: string; x: number; y: number; canvas: Element }> })
      .__canvasText;
    const byText = new Map<string, CanvasText>();
    for (const t of log ?? []) {
      if (!root?.contains(t.canvas)) continue;
      const canvasWidth = t.canvas.getBoundingClientRect().width;
      byText.set(t.text, { text: t.text, x: t.x, y: t.y, canvasWidth });
    }
    return [...byText.values()];
  }, selector);
}
