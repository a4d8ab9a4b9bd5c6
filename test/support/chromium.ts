/**
 * Runs a browser bundle (an IIFE) in a real headless Chromium, when one is installed: a page that
 * loads it with `<script>`, its console captured into the DOM, and `chromium --dump-dom` under a
 * virtual-time budget. Virtual time runs the page's timers in their order without waiting for
 * them in real time, so the seed's 600 ms sleep costs nothing and its order is deterministic.
 *
 * No npm dependency: the system's Chromium (Debian: `apt-get install chromium`), found on PATH.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run } from './consumers';

/** The names a Chromium binary goes by, looked up on PATH in this order. */
const BINARIES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** A Chromium that runs here, or why there is none. */
export type ChromiumLookup = { readonly binary: string } | { readonly missing: string };

let lookup: Promise<ChromiumLookup> | undefined;

/** Finds a Chromium on PATH that answers `--version`, once per process. */
export function findChromium(): Promise<ChromiumLookup> {
  return (lookup ??= lookUpChromium());
}

async function lookUpChromium(): Promise<ChromiumLookup> {
  for (const name of BINARIES) {
    try {
      await run(name, ['--version'], { cwd: process.cwd(), timeoutMs: 30_000 });
      return { binary: name };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return { missing: `${name} does not run: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  return {
    missing:
      `no Chromium on PATH (${BINARIES.join(', ')}); ` +
      'install one (Debian: apt-get install chromium) to run the browser bundles in it',
  };
}

/**
 * The page's first script: every console line goes into `#output`, URI-encoded JSON (so that
 * `--dump-dom` escapes nothing), with `done` set by the first `console.log` call (the consumer
 * programs print everything in one call), after which nothing more is kept. Uncaught errors and
 * rejections are printed too.
 */
const CAPTURE = `
const lines = [];
let done = false;
const output = document.getElementById('output');
const print = (finished) => (...values) => {
  if (done) return;
  lines.push(...values.map(String).join(' ').split('\\n'));
  done = finished;
  output.textContent = encodeURIComponent(JSON.stringify({ done, lines }));
};
console.log = print(true);
console.info = console.warn = console.error = print(false);
addEventListener('error', (event) => print(false)('uncaught ' + event.message));
addEventListener('unhandledrejection', (event) => print(false)('unhandled ' + String(event.reason)));
`;

/**
 * Runs `file` in a page of its own (a fresh profile) and resolves with what it printed, up to and
 * including its first `console.log` call's lines; rejects when it printed no `console.log` line
 * within `virtualBudgetMs` of the page's virtual time.
 */
export async function runInChromium(
  binary: string,
  file: string,
  virtualBudgetMs = 10_000,
): Promise<string[]> {
  const directory = dirname(file);
  const page = join(directory, `${basename(file, '.js')}.html`);
  writeFileSync(
    page,
    '<!doctype html>\n<meta charset="utf-8">\n<pre id="output"></pre>\n' +
      `<script>${CAPTURE}</script>\n<script src="${basename(file)}"></script>\n`,
  );
  const profile = mkdtempSync(join(directory, 'chromium-profile-'));
  const { stdout, stderr } = await run(
    binary,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      // Without it, a file:// page sees an uncaught error of its script only as "Script error."
      '--allow-file-access-from-files',
      `--user-data-dir=${profile}`,
      `--virtual-time-budget=${virtualBudgetMs}`,
      '--dump-dom',
      pathToFileURL(page).href,
    ],
    { cwd: directory, timeoutMs: 60_000 },
  );
  const captured = /<pre id="output">([^<]*)<\/pre>/.exec(stdout)?.[1] ?? '';
  const { done, lines } = (
    captured === '' ? { done: false, lines: [] } : JSON.parse(decodeURIComponent(captured))
  ) as { done: boolean; lines: string[] };
  if (!done) {
    throw new Error(
      `${file} printed no console.log line in Chromium within ${virtualBudgetMs} ms of virtual ` +
        `time:\n${lines.join('\n')}\n${withoutDbusNoise(stderr)}`,
    );
  }
  return lines;
}

/** Chromium's stderr without the lines a machine with no D-Bus gets on every start. */
function withoutDbusNoise(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !line.includes(':ERROR:dbus/'))
    .join('\n');
}
