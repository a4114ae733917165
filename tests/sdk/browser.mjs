// Shared by the browser tests (docs_pages, console): Debian's Chromium, headless, driven by
// puppeteer-core, and a guard that keeps a page's requests on the loopback address. Not a test
// file itself (node --test runs *.test.mjs only).
import puppeteer from 'puppeteer-core';

// Headless Chromium at `executablePath`.
export function launchBrowser(executablePath) {
  return puppeteer.launch({
    executablePath,
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

// Refuses every request of `page` that is not to 127.0.0.1, recording its URL in
// `seen.outside`, and records script errors in `seen.errors`.
export async function keepToLoopback(page, seen) {
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = new URL(request.url());
    const network = ['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol);
    if (network && url.hostname !== '127.0.0.1') {
      seen.outside.push(request.url());
      request.abort();
    } else {
      request.continue();
    }
  });
  page.on('pageerror', (error) => seen.errors.push(String(error)));
}
