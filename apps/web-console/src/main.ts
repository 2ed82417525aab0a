/**
 * The web console's page: a terminal on the lab's shell (xterm.js over a WebSocket), the topology, the
 * journey of each skb a command sent, and the counters it moved. After each command line the server says
 * 'done', and the page fetches what changed.
 */
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { CountersPanel } from './counters';
import { JourneyPlayer } from './journey';
import { TopologyPanel } from './topology';
import {
  getJson,
  el,
  type CommandSummary,
  type CountersAnswer,
  type JourneysAnswer,
  type TopologyView,
} from './types';

const topology = new TopologyPanel();
const counters = new CountersPanel();
const journey = new JourneyPlayer({
  onStep: (s) => topology.highlight(s?.host ?? null, s?.netns ?? '', s?.iface ?? null),
});
let latestJourney = 0;

async function refresh(newCommand: boolean): Promise<void> {
  const [t, j, c, cmds] = await Promise.all([
    getJson<TopologyView>('api/topology'),
    getJson<JourneysAnswer>(`api/journeys?since=${latestJourney}`),
    getJson<CountersAnswer>('api/counters'),
    getJson<{ commands: CommandSummary[] }>('api/commands'),
  ]);
  topology.render(t);
  journey.setHosts(t.hosts.map((h) => h.name));
  journey.setLanes(j.lanes);
  journey.addJourneys(j.journeys);
  latestJourney = j.latest;
  journey.setCommands(cmds.commands, newCommand);
  counters.render(c);
  const state = await getJson<{ capture: { file: string; command: number } | null }>('api/state');
  const cap = document.getElementById('capture') as HTMLAnchorElement;
  cap.classList.toggle('disabled', !state.capture);
  cap.textContent = state.capture
    ? `⤓ pcap: ${state.capture.file} (command #${state.capture.command})`
    : 'pcap: none yet';
  document.body.dataset.commands = String(cmds.commands.length);
}

let closeTerminal: (() => void) | null = null;

function openTerminal(node: string): void {
  closeTerminal?.();
  const box = document.getElementById('terminal')!;
  box.replaceChildren();
  const term = new Terminal({
    convertEol: true,
    cursorBlink: true,
    fontSize: 13,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
    theme: { background: '#11151c' },
    scrollback: 5000,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(box);
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(
    `${proto}//${location.host}${location.pathname.replace(/[^/]*$/, '')}ws/terminal?node=${encodeURIComponent(node)}`,
  );
  const resize = () => {
    try {
      fit.fit();
    } catch {
      return; // not laid out yet
    }
    if (ws.readyState === WebSocket.OPEN)
      ws.send(JSON.stringify({ t: 'resize', cols: term.cols, rows: term.rows }));
  };
  ws.onopen = () => {
    resize();
    document.body.dataset.terminal = 'open';
  };
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data)) as { t: string; d?: string; status?: number };
    if (m.t === 'o') term.write(m.d ?? '');
    else if (m.t === 'done') void refresh(true);
    else if (m.t === 'exit')
      term.write(`\r\n[the shell exited with status ${m.status}; reload the page for a new one]\r\n`);
  };
  ws.onclose = () => {
    document.body.dataset.terminal = 'closed';
  };
  term.onData((d) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: 'i', d }));
  });
  const observer = new ResizeObserver(resize);
  observer.observe(box);
  closeTerminal = () => {
    observer.disconnect();
    ws.onclose = null;
    ws.close();
    term.dispose();
  };
  term.focus();
}

async function start(): Promise<void> {
  const state = await getJson<{ hosts: string[] }>('api/state');
  const nodeSel = document.getElementById('terminal-node') as HTMLSelectElement;
  nodeSel.replaceChildren(
    ...state.hosts.map((h) => {
      const o = el('option', undefined, h);
      o.value = h;
      return o;
    }),
  );
  nodeSel.onchange = () => openTerminal(nodeSel.value);
  await refresh(true);
  openTerminal(state.hosts[0]);
  document.body.dataset.ready = 'yes';
}

void start();
