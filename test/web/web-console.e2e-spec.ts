/**
 * The web console in a real browser: Debian's chromium (tools/ensure-os-packages.sh installs it) driven by
 * playwright-core, against `skblab web` run as a user runs it. A ping typed in the page's terminal must
 * produce a journey whose steps are listed in the kernel's order (the trace's, as the API gives it, and the
 * order the loopback path runs its functions), step and step back must move through it, and a screenshot
 * is kept in test-artifacts/. Where chromium cannot start, the suite says so and skips visibly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = path.join(__dirname, '..', '..');
const CHROMIUM = process.env.SKBLAB_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** Why chromium cannot run here, or null when it can. */
function chromiumMissing(): string | null {
  if (!fs.existsSync(CHROMIUM))
    return `${CHROMIUM} not found (tools/ensure-os-packages.sh installs chromium)`;
  // It must start headless here (as root: without the sandbox), not only exist.
  const r = spawnSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', 'about:blank'],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (r.status !== 0 || !r.stdout.includes('<html'))
    return `${CHROMIUM} does not start headless: ${(r.stderr || r.error?.message || `status ${r.status}`).trim().split('\n').pop()}`;
  return null;
}

const missing = chromiumMissing();
if (missing) console.warn(`web console browser test skipped: ${missing}`);
const maybe = missing ? it.skip : it;

interface Step {
  seq: number;
  func: string;
  host: string;
  lane: string;
}

let cli: ChildProcess;
let url = '';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (missing) return;
  // `skblab web` as a user starts it; the URL is the line it prints.
  cli = spawn(process.execPath, [path.join(ROOT, 'bin', 'skblab'), 'web', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  url = await new Promise<string>((resolve, reject) => {
    cli.stdout!.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    cli.stderr!.on('data', (d) => (out += d));
    cli.on('exit', (code) => reject(new Error(`skblab web exited (${code}): ${out}`)));
  });
  expect(out).toMatch(/^skblab: web console for the lab \(host1, host2\) at http:\/\/127\.0\.0\.1:\d+\/\n/);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (cli && cli.exitCode === null) {
    const exited = new Promise((r) => cli.once('exit', r));
    cli.kill('SIGINT');
    await exited;
  }
});

async function api<T>(p: string): Promise<T> {
  const r = await fetch(url + p);
  expect(r.status).toBe(200);
  return (await r.json()) as T;
}

/** The steps the page lists, top to bottom: their function and trace sequence number. */
function listed(): Promise<Array<{ func: string; seq: number }>> {
  return page
    .locator('#lanes tr.step')
    .evaluateAll((rows) =>
      rows.map((r) => ({ func: r.getAttribute('data-func') ?? '', seq: Number(r.getAttribute('data-seq')) })),
    );
}

async function typeLine(line: string, commandNo: number): Promise<void> {
  await page.locator('#terminal .xterm').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  // The page refreshes when the server says the line is done; the newest command is selected.
  await page.waitForSelector(`body[data-commands="${commandNo}"]`);
  await page
    .locator('#journey-command option:checked', { hasText: `: ${line}` })
    .waitFor({ state: 'attached' });
}

const position = async () => ({
  index: Number(await page.locator('#position').getAttribute('data-index')),
  func: await page.locator('#position').getAttribute('data-func'),
});

describe('skblab web in chromium', () => {
  maybe(
    'loads the console; a ping typed in its terminal plays as a journey in the kernel order, step by step',
    async () => {
      await page.goto(url);
      await page.waitForSelector('body[data-ready="yes"][data-terminal="open"]');
      // The topology: both hosts drawn (cytoscape's canvas), the shell's greeting in the terminal.
      await expect(page.locator('#topology canvas').count()).resolves.toBeGreaterThan(0);
      await page.locator('#terminal', { hasText: 'You are root on host1' }).waitFor();

      await typeLine('ping -c 1 127.0.0.1', 1);
      await page.locator('#terminal', { hasText: '1 packets transmitted, 1 received' }).waitFor();

      const rows = await listed();
      // The trace's order: every step of the command's skbs, as the API reads them from the trace ring.
      const j = await api<{ journeys: Array<{ steps: Step[] }> }>('api/journeys?since=0');
      const trace = j.journeys.flatMap((x) => x.steps).sort((a, b) => a.seq - b.seq);
      expect(rows.length).toBeGreaterThan(40);
      expect(rows).toEqual(trace.map((s) => ({ func: s.func, seq: s.seq })));
      // ... which is the order the kernel runs the loopback path: out through IP, the neighbour, the
      // device and lo's driver, into the backlog, the softirq and the receive path, the echo, the reply.
      const kernelOrder = [
        '__sys_sendto',
        'ping_v4_sendmsg',
        'ip_route_output_flow',
        'ip_local_out',
        'ip_output',
        'ip_finish_output2',
        'neigh_output',
        '__dev_queue_xmit',
        'loopback_xmit',
        '__netif_rx',
        'enqueue_to_backlog',
        'net_rx_action',
        'process_backlog',
        '__netif_receive_skb',
        'ip_rcv',
        'ip_local_deliver',
        'icmp_rcv',
        'icmp_echo',
        'icmp_reply',
        'icmp_push_reply',
        'ping_rcv',
        'ping_recvmsg',
      ];
      const funcs = rows.map((r) => r.func);
      let at = -1;
      for (const f of kernelOrder) {
        const next = funcs.indexOf(f, at + 1);
        expect([f, next > at]).toEqual([f, true]);
        at = next;
      }
      expect(funcs[funcs.length - 1]).toBe('ping_recvmsg');

      // Step, step, step, then back: the current step and its details follow.
      await expect(position()).resolves.toEqual({ index: 0, func: '__sys_sendto' });
      for (let i = 0; i < 3; i++) await page.click('#step');
      await expect(position()).resolves.toEqual({ index: 3, func: funcs[3] });
      await page.click('#step-back');
      await expect(position()).resolves.toEqual({ index: 2, func: funcs[2] });
      await expect(page.locator('#lanes tr.step.current').getAttribute('data-index')).resolves.toBe('2');
      await expect(page.locator('#lanes tr.step.future').count()).resolves.toBe(funcs.length - 3);
      await expect(page.locator('#step-detail strong').textContent()).resolves.toBe(funcs[2]);
      const src = trace[2];
      expect(src.func).toBe(funcs[2]);
      // Back from the first step stays there.
      await page.click('#first');
      await page.click('#step-back');
      await expect(position()).resolves.toEqual({ index: 0, func: '__sys_sendto' });
      const link = page.locator('#step-detail a.src');
      await expect(link.textContent()).resolves.toMatch(/^net\/socket\.c:\d+$/);
      await expect(link.getAttribute('href')).resolves.toMatch(
        /^https:\/\/elixir\.bootlin\.com\/linux\/v6\.12\.\d+\/source\/net\/socket\.c#L\d+$/,
      );
      // Each step sits in its layer's lane: the send in the socket lane, lo's xmit in the driver's.
      const lane = (f: string) =>
        page
          .locator(`#lanes tr.step[data-func="${f}"] .chip`)
          .first()
          .evaluate((c) => c.parentElement!.className);
      await expect(lane('__sys_sendto')).resolves.toMatch(/lane-socket/);
      await expect(lane('loopback_xmit')).resolves.toMatch(/lane-driver/);
      await expect(lane('enqueue_to_backlog')).resolves.toMatch(/lane-softirq/);

      // Play runs to the last step by itself, then stops.
      await page.selectOption('#speed', '50');
      await page.click('#play');
      await page.locator(`#position[data-index="${funcs.length - 1}"]`).waitFor();
      await expect(page.locator('#play').textContent()).resolves.toBe('▶ play');

      // The counters the ping moved, highlighted: two packets in and out of lo, two IP receives.
      await expect(page.locator('#moved .lastcmd').textContent()).resolves.toMatch(
        /ping -c 1 127\.0\.0\.1 \(exit 0\)/,
      );
      await expect(
        page.locator('#moved tr.moved-row', { hasText: 'Ip InReceives' }).locator('td.delta').textContent(),
      ).resolves.toBe('+2');
      await expect(
        page.locator('#counters .hot', { hasText: 'InReceives' }).count(),
      ).resolves.toBeGreaterThan(0);

      await page.click('#first');
      for (let i = 0; i < 9; i++) await page.click('#step');
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'web-console.png') });
      expect(fs.statSync(path.join(ARTIFACTS, 'web-console.png')).size).toBeGreaterThan(10_000);
    },
    120_000,
  );

  maybe(
    "shows a ping across the wire in both hosts' lanes, ARP included",
    async () => {
      await typeLine('ping -c 1 192.168.1.2', 2);
      const rows = await listed();
      const funcs = rows.map((r) => r.func);
      // Neighbour resolution first (arp_solicit), then the request out of host1's NIC and into host2's.
      expect(funcs.indexOf('arp_solicit')).toBeGreaterThan(funcs.indexOf('__neigh_event_send'));
      expect(funcs.indexOf('igb_xmit_frame')).toBeGreaterThan(-1);
      await expect(page.locator('#lanes thead th.host').allTextContents()).resolves.toEqual([
        'host1',
        'host2',
      ]);
      const hosts = await page.locator('#lanes tr.step').evaluateAll((trs) =>
        trs.map((tr) => {
          const chip = tr.querySelector('.chip')!.parentElement!;
          const cells = [...tr.children];
          return cells.indexOf(chip) > 7 ? 'host2' : 'host1';
        }),
      );
      const j = await api<{ journeys: Array<{ steps: Step[] }> }>('api/journeys?since=0');
      const bySeq = new Map(j.journeys.flatMap((x) => x.steps).map((s) => [s.seq, s]));
      expect(hosts).toEqual(rows.map((r) => bySeq.get(r.seq)!.host));
      expect(hosts).toContain('host2');
      await page.click('#step');
      await page.screenshot({ path: path.join(ARTIFACTS, 'web-console-two-hosts.png') });
    },
    120_000,
  );
});
