/**
 * The counters panel: what the last command moved (every counter of /proc/net/snmp, `ip -s link` and
 * softnet_stat that differs from before it ran), then the full tables of one namespace with those cells
 * highlighted.
 */
import { el, type CountersAnswer, type Moved } from './types';

export class CountersPanel {
  private data: CountersAnswer | null = null;
  private readonly sel = document.getElementById('counters-ns') as HTMLSelectElement;
  private readonly moved = document.getElementById('moved')!;
  private readonly box = document.getElementById('counters')!;

  constructor() {
    this.sel.onchange = () => this.renderTables();
  }

  render(c: CountersAnswer): void {
    this.data = c;
    const keep = this.sel.value;
    this.sel.replaceChildren(
      ...c.counters.namespaces.map((ns) => {
        const o = el('option', undefined, `${ns.host}${ns.netns ? ' netns ' + ns.netns : ''}`);
        o.value = `${ns.host}/${ns.netns}`;
        return o;
      }),
    );
    // Follow the last command's host unless the reader chose another namespace.
    const lastNs = c.last ? `${c.last.host}/` : '';
    if (keep && [...this.sel.options].some((o) => o.value === keep)) this.sel.value = keep;
    else if (lastNs) this.sel.value = lastNs;
    this.renderMoved();
    this.renderTables();
  }

  private renderMoved(): void {
    const last = this.data?.last;
    const box = this.moved;
    box.replaceChildren();
    if (!last) {
      box.append(el('p', 'hint', 'run a command: the counters it moved show here'));
      return;
    }
    box.append(
      el(
        'p',
        'lastcmd',
        `#${last.id} ${last.host}: ${last.line} (exit ${last.status}) moved ${last.moved.length} counters`,
      ),
    );
    if (!last.moved.length) return;
    const t = el('table', 'moved');
    const hr = el('tr');
    for (const h of ['where', 'file', 'counter', 'before', 'after', 'Δ']) hr.append(el('th', undefined, h));
    t.append(hr);
    const src = { snmp: '/proc/net/snmp', link: 'ip -s link', softnet: 'softnet_stat' };
    for (const m of last.moved) {
      const tr = el('tr', 'moved-row');
      tr.append(
        el('td', undefined, `${m.host}${m.netns ? ' ' + m.netns : ''}`),
        el('td', undefined, src[m.source]),
        el('td', undefined, `${m.group} ${m.name}`),
        el('td', 'num', String(m.from)),
        el('td', 'num', String(m.to)),
        el('td', 'num delta', (m.to > m.from ? '+' : '') + String(m.to - m.from)),
      );
      t.append(tr);
    }
    box.append(t);
  }

  private isMoved(pred: (m: Moved) => boolean): boolean {
    return this.data?.last?.moved.some(pred) ?? false;
  }

  private renderTables(): void {
    const c = this.data;
    if (!c) return;
    const [host, netns] = this.sel.value.split('/');
    const ns = c.counters.namespaces.find((n) => n.host === host && n.netns === (netns ?? ''));
    const box = this.box;
    box.replaceChildren();
    if (!ns) return;
    const here = (m: Moved) => m.host === ns.host && m.netns === ns.netns;
    // /proc/net/snmp: a name/value grid per group.
    box.append(el('h3', undefined, '/proc/net/snmp'));
    for (const [g, vals] of Object.entries(ns.snmp)) {
      const grid = el('div', 'grid');
      grid.append(el('span', 'group', g));
      for (const [n, v] of Object.entries(vals)) {
        const cell = el('span', 'cell', `${n} ${v}`);
        if (this.isMoved((m) => here(m) && m.source === 'snmp' && m.group === g && m.name === n))
          cell.classList.add('hot');
        grid.append(cell);
      }
      box.append(grid);
    }
    box.append(el('h3', undefined, 'ip -s link'));
    const lt = el('table', 'counters');
    const cols = [
      'rx_bytes',
      'rx_packets',
      'rx_errors',
      'rx_dropped',
      'rx_missed',
      'tx_bytes',
      'tx_packets',
      'tx_errors',
      'tx_dropped',
      'tx_carrier',
    ];
    const lh = el('tr');
    lh.append(el('th', undefined, 'dev'), ...cols.map((k) => el('th', undefined, k.replace('_', ' '))));
    lt.append(lh);
    for (const [dev, vals] of Object.entries(ns.links)) {
      const tr = el('tr');
      tr.append(el('td', undefined, dev));
      for (const k of cols) {
        const td = el('td', 'num', String(vals[k]));
        if (this.isMoved((m) => here(m) && m.source === 'link' && m.group === dev && m.name === k))
          td.classList.add('hot');
        tr.append(td);
      }
      lt.append(tr);
    }
    box.append(lt);
    const sn = c.counters.softnet.find((s) => s.host === ns.host);
    if (!sn) return;
    box.append(el('h3', undefined, `/proc/net/softnet_stat (${ns.host})`));
    const st = el('table', 'counters');
    const sc = ['processed', 'dropped', 'time_squeeze', 'received_rps', 'flow_limit_count', 'backlog_len'];
    const sh = el('tr');
    sh.append(el('th', undefined, 'cpu'), ...sc.map((k) => el('th', undefined, k)));
    st.append(sh);
    for (const row of sn.cpus) {
      const tr = el('tr');
      tr.append(el('td', undefined, String(row.cpu)));
      for (const k of sc) {
        const td = el('td', 'num', String(row[k]));
        if (
          this.isMoved(
            (m) =>
              m.host === ns.host && m.source === 'softnet' && m.group === `cpu${row.cpu}` && m.name === k,
          )
        )
          td.classList.add('hot');
        tr.append(td);
      }
      st.append(tr);
    }
    box.append(st);
  }
}
