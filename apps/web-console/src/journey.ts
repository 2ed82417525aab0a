/**
 * The journey view: the steps of a command's skbs in the order the kernel ran them (the trace ring's
 * sequence), one row each, placed in the lane of the layer it runs in (socket, IP, neighbour, qdisc/device,
 * driver, softirq, receive), lanes grouped by host. Play, pause, step and step back move the current step;
 * its details (function, source line, state consulted, drop reason, counters) show below.
 */
import { el, type CommandSummary, type JourneyView, type StepView } from './types';

const LANE_TITLES: Record<string, string> = {
  socket: 'socket',
  ip: 'IP',
  neigh: 'neighbour',
  dev: 'qdisc / device',
  driver: 'driver',
  softirq: 'softirq',
  rx: 'receive',
};

export interface JourneyHooks {
  /** The current step changed (the topology shows where it is). */
  onStep(step: StepView | null): void;
}

export class JourneyPlayer {
  private commands: CommandSummary[] = [];
  /** Journeys by number, as loaded. */
  private readonly journeys = new Map<number, JourneyView>();
  private steps: StepView[] = [];
  private current = -1;
  private timer: number | null = null;
  private lanes: string[] = Object.keys(LANE_TITLES);
  private hostOrder: string[] = [];
  private rows: HTMLElement[] = [];

  private readonly cmdSel = document.getElementById('journey-command') as HTMLSelectElement;
  private readonly skbSel = document.getElementById('journey-skb') as HTMLSelectElement;
  private readonly lanesBox = document.getElementById('lanes')!;
  private readonly detail = document.getElementById('step-detail')!;
  private readonly position = document.getElementById('position')!;
  private readonly playBtn = document.getElementById('play') as HTMLButtonElement;
  private readonly speed = document.getElementById('speed') as HTMLSelectElement;

  constructor(private readonly hooks: JourneyHooks) {
    document.getElementById('first')!.onclick = () => this.go(0);
    document.getElementById('last')!.onclick = () => this.go(this.steps.length - 1);
    document.getElementById('step')!.onclick = () => this.go(this.current + 1);
    document.getElementById('step-back')!.onclick = () => this.go(this.current - 1);
    this.playBtn.onclick = () => (this.timer === null ? this.play() : this.pause());
    this.cmdSel.onchange = () => this.show();
    this.skbSel.onchange = () => this.show(true);
    document.addEventListener('keydown', (e) => {
      // Arrow keys step, unless the terminal (or a control) has the keyboard.
      const t = e.target as HTMLElement | null;
      if (t && (t.closest('#terminal') || t.tagName === 'SELECT')) return;
      if (e.key === 'ArrowRight') this.go(this.current + 1);
      else if (e.key === 'ArrowLeft') this.go(this.current - 1);
    });
  }

  setHosts(hosts: string[]): void {
    this.hostOrder = hosts;
  }

  setLanes(lanes: string[]): void {
    if (lanes.length) this.lanes = lanes;
  }

  addJourneys(js: JourneyView[]): void {
    for (const j of js) this.journeys.set(j.no, j);
  }

  /** The commands that began journeys; `select` picks the newest one. */
  setCommands(cmds: CommandSummary[], select: boolean): void {
    this.commands = cmds.filter((c) => c.journeys.last >= c.journeys.first);
    const keep = this.cmdSel.value;
    this.cmdSel.replaceChildren(
      ...this.commands
        .slice()
        .reverse()
        .map((c) => {
          const o = el('option', undefined, `#${c.id} ${c.host}: ${c.line}`);
          o.value = String(c.id);
          return o;
        }),
    );
    if (!select && keep && this.commands.some((c) => String(c.id) === keep)) this.cmdSel.value = keep;
    if (select || this.cmdSel.value !== keep) this.show();
  }

  private command(): CommandSummary | undefined {
    return this.commands.find((c) => String(c.id) === this.cmdSel.value);
  }

  /** Build the rows of the selected command (and skb). */
  private show(keepSkb = false): void {
    this.pause();
    const c = this.command();
    const js: JourneyView[] = [];
    if (c)
      for (let n = c.journeys.first; n <= c.journeys.last; n++)
        if (this.journeys.has(n)) js.push(this.journeys.get(n)!);
    if (!keepSkb) {
      const all = el('option', undefined, `all ${js.length} skb${js.length === 1 ? '' : 's'}, interleaved`);
      all.value = '';
      this.skbSel.replaceChildren(
        all,
        ...js.map((j) => {
          const o = el(
            'option',
            undefined,
            `${j.skb} ${j.tuple}${j.dropReason ? ' ✗ ' + j.dropReason.replace('SKB_DROP_REASON_', '') : ''}`,
          );
          o.value = String(j.no);
          return o;
        }),
      );
    }
    const only = this.skbSel.value;
    const picked = only ? js.filter((j) => String(j.no) === only) : js;
    // Every step of the picked skbs in the order the kernel ran them: the lab-wide sequence.
    this.steps = picked.flatMap((j) => j.steps).sort((a, b) => a.seq - b.seq);
    this.render();
    this.go(this.steps.length ? 0 : -1);
  }

  private render(): void {
    const hosts = this.hostOrder.filter((h) => this.steps.some((s) => s.host === h));
    for (const s of this.steps) if (!hosts.includes(s.host)) hosts.push(s.host);
    const table = el('table', 'lanes');
    // Lanes share the panel's width; past 56px a lane each, the table scrolls sideways.
    table.style.minWidth = `${34 + hosts.length * this.lanes.length * 56}px`;
    const head = el('thead');
    const hr = el('tr');
    hr.append(el('th', 'idx', '#'));
    for (const h of hosts) {
      const th = el('th', 'host', h);
      th.colSpan = this.lanes.length;
      hr.append(th);
    }
    const lr = el('tr');
    lr.append(el('th', 'idx'));
    for (const h of hosts)
      for (const [i, l] of this.lanes.entries()) {
        const th = el('th', `lane lane-${l}${i === 0 ? ' host-start' : ''}`, LANE_TITLES[l] ?? l);
        th.title = `${h}: ${LANE_TITLES[l] ?? l}`;
        lr.append(th);
      }
    head.append(hr, lr);
    const body = el('tbody');
    this.rows = this.steps.map((s, i) => {
      const tr = el('tr', 'step');
      tr.dataset.seq = String(s.seq);
      tr.dataset.func = s.func;
      tr.dataset.index = String(i);
      if (s.dropReason) tr.classList.add('drop');
      tr.append(el('td', 'idx', String(i + 1)));
      for (const h of hosts)
        for (const [k, l] of this.lanes.entries()) {
          const td = el('td', `lane-${l}${k === 0 ? ' host-start' : ''}`);
          if (s.host === h && s.lane === l) {
            const chip = el('span', 'chip', s.func);
            chip.title = `${s.func} (${s.file}) ${s.state ?? ''}`;
            td.append(chip);
          }
          tr.append(td);
        }
      tr.onclick = () => this.go(i);
      body.append(tr);
      return tr;
    });
    table.append(head, body);
    this.lanesBox.replaceChildren(table);
  }

  /** Make step `i` the current one (clamped). */
  go(i: number): void {
    if (!this.steps.length) {
      this.current = -1;
      this.position.textContent = this.commands.length
        ? 'this command sent no skb'
        : 'no journey yet: type a command in the terminal (ping -c 1 127.0.0.1)';
      this.detail.replaceChildren();
      this.hooks.onStep(null);
      return;
    }
    const n = Math.max(0, Math.min(this.steps.length - 1, i));
    this.current = n;
    this.rows.forEach((r, k) => {
      r.classList.toggle('current', k === n);
      r.classList.toggle('future', k > n);
    });
    this.rows[n].scrollIntoView({ block: 'nearest' });
    const s = this.steps[n];
    this.position.textContent = `step ${n + 1} / ${this.steps.length}`;
    this.position.dataset.index = String(n);
    this.position.dataset.func = s.func;
    this.renderDetail(s);
    this.hooks.onStep(s);
    if (n === this.steps.length - 1) this.pause();
  }

  private renderDetail(s: StepView): void {
    const d = this.detail;
    d.replaceChildren();
    const title = el('div', 'fn');
    title.append(el('strong', undefined, s.func));
    if (s.func !== s.fn) title.append(el('span', undefined, ` (in ${s.fn})`));
    title.append(' ');
    if (s.url) {
      const a = el('a', 'src', `${s.file}${s.line ? ':' + s.line : ''}`);
      a.href = s.url;
      a.target = '_blank';
      a.rel = 'noopener';
      title.append(a);
    } else title.append(el('span', 'src', s.file));
    d.append(title);
    const where = [
      `host ${s.host}${s.netns ? ' netns ' + s.netns : ''}`,
      `cpu ${s.cpu}`,
      s.iface ? `dev ${s.iface}` : 'no dev',
      `[${s.process}]`,
      `len ${s.len}`,
      `t ${(s.timeNs / 1000).toFixed(3)} µs`,
      `skb ${s.skb}`,
    ];
    d.append(el('div', 'where', where.join(' · ')));
    d.append(el('div', 'state', s.state ? `state: ${s.state}` : 'state: (nothing recorded)'));
    if (s.dropReason) d.append(el('div', 'dropreason', `dropped: kfree_skb_reason(${s.dropReason})`));
    if (s.counters.length)
      d.append(el('div', 'counters', `counters: ${s.counters.map((c) => c + '++').join(', ')}`));
  }

  play(): void {
    if (!this.steps.length) return;
    if (this.current >= this.steps.length - 1) this.go(0);
    this.playBtn.textContent = '⏸ pause';
    this.playBtn.classList.add('playing');
    const tick = () => {
      if (this.current >= this.steps.length - 1) return this.pause();
      this.go(this.current + 1);
      if (this.timer !== null) this.timer = window.setTimeout(tick, Number(this.speed.value));
    };
    this.timer = window.setTimeout(tick, Number(this.speed.value));
  }

  pause(): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    this.playBtn.textContent = '▶ play';
    this.playBtn.classList.remove('playing');
  }
}
