/**
 * The topology panel: hosts holding their namespaces holding their devices (compound nodes), wires between
 * NIC ports and veth pairs between namespaces, laid out by cytoscape. The device the current journey step
 * runs on is highlighted.
 */
import cytoscape from 'cytoscape';
import type { DeviceView, TopologyView } from './types';

const DEV_DX = 120;
const NS_DY = 110;
const LO_DY = 50;
const HOST_GAP = 60;

export class TopologyPanel {
  private readonly positions = new Map<string, { x: number; y: number }>();
  private cy: cytoscape.Core | null = null;
  private devices = new Map<string, DeviceView>();
  private readonly box = document.getElementById('topology')!;
  private readonly detail = document.getElementById('topology-detail')!;

  private shown = '';

  /** Draw the topology (again only if it changed: a new layout would move everything). */
  render(t: TopologyView): void {
    const json = JSON.stringify(t);
    if (json === this.shown) return;
    this.shown = json;
    const els: cytoscape.ElementDefinition[] = [];
    this.devices.clear();
    // Hosts side by side, each namespace a row of its devices: a picture that reads the same every time
    // (cytoscape sizes the host and namespace boxes around them and routes the links).
    let x0 = 0;
    for (const h of t.hosts) {
      // lo sits below the namespace's other devices, out of the way of the links between them.
      const row = (ns: TopologyView['hosts'][0]['namespaces'][0]) =>
        ns.devices.filter((d) => d.kind !== 'loopback');
      const width = Math.max(1, ...h.namespaces.map((ns) => row(ns).length)) * DEV_DX;
      h.namespaces.forEach((ns, j) => {
        row(ns).forEach((d, k) => this.positions.set(d.id, { x: x0 + k * DEV_DX, y: j * NS_DY }));
        for (const d of ns.devices)
          if (d.kind === 'loopback') this.positions.set(d.id, { x: x0, y: j * NS_DY + LO_DY });
      });
      x0 += width + HOST_GAP;
    }
    for (const h of t.hosts) {
      els.push({ data: { id: `host:${h.name}`, label: `${h.name} (${h.cpus} CPUs)` }, classes: 'host' });
      for (const ns of h.namespaces) {
        const nsId = `ns:${ns.id}`;
        els.push({
          data: { id: nsId, parent: `host:${h.name}`, label: ns.name ? `netns ${ns.name}` : 'init_net' },
          classes: 'netns',
        });
        for (const d of ns.devices) {
          this.devices.set(d.id, d);
          els.push({
            data: { id: d.id, parent: nsId, label: [d.name, ...d.addresses].join('\n') },
            position: this.positions.get(d.id),
            classes: `dev ${d.kind}${d.up ? '' : ' down'}`,
          });
        }
      }
    }
    for (const l of t.links)
      els.push({
        data: { id: `${l.kind}:${l.a}~${l.b}`, source: l.a, target: l.b },
        classes: `${l.kind}${l.up ? '' : ' down'}`,
      });
    this.cy?.destroy();
    this.cy = cytoscape({
      container: this.box,
      elements: els,
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'font-size': 10,
            'text-wrap': 'wrap',
            color: '#ddd',
            'font-family': 'monospace',
          },
        },
        {
          selector: '.host',
          style: {
            'background-color': '#1d2633',
            'border-color': '#5a7',
            'border-width': 1,
            'text-valign': 'top',
            'text-halign': 'center',
          },
        },
        {
          selector: '.netns',
          style: {
            'background-color': '#222d3d',
            'border-color': '#57a',
            'border-width': 1,
            'border-style': 'dashed',
            'text-valign': 'top',
          },
        },
        {
          selector: '.dev',
          style: {
            shape: 'round-rectangle',
            width: 16,
            height: 16,
            'background-color': '#4a8',
            'text-valign': 'bottom',
            'text-margin-y': 3,
          },
        },
        { selector: '.dev.loopback', style: { 'background-color': '#888' } },
        { selector: '.dev.down', style: { 'background-color': '#a44' } },
        {
          selector: '.dev.active',
          style: {
            'background-color': '#fc3',
            width: 22,
            height: 22,
            'border-width': 3,
            'border-color': '#fff',
          },
        },
        { selector: '.host.active, .netns.active', style: { 'border-color': '#fc3', 'border-width': 2 } },
        { selector: 'edge', style: { width: 2, 'line-color': '#9ab', 'curve-style': 'bezier' } },
        { selector: 'edge.veth', style: { 'line-style': 'dashed' } },
        { selector: 'edge.down', style: { 'line-color': '#a44' } },
      ],
      layout: { name: 'preset', padding: 16 },
    });
    this.cy.on('tap', 'node.dev', (e) => this.showDevice(e.target.id()));
  }

  private showDevice(id: string): void {
    const d = this.devices.get(id);
    if (!d) return;
    this.detail.textContent =
      `${id.replace(/\/\//, '/')}: ${d.kind} ifindex ${d.ifindex} mtu ${d.mtu} ${d.up ? 'UP' : 'DOWN'}` +
      `${d.carrier ? '' : ' NO-CARRIER'} qdisc ${d.qdisc} link ${d.mac}` +
      (d.addresses.length ? ` inet ${d.addresses.join(', ')}` : '');
  }

  /** Highlight where a step runs: its device, else its namespace. */
  highlight(host: string | null, netns: string, dev: string | null): void {
    if (!this.cy) return;
    this.cy.elements('.active').removeClass('active');
    if (!host) return;
    this.cy.getElementById(`host:${host}`).addClass('active');
    if (dev && this.devices.has(`${host}/${netns}/${dev}`))
      this.cy.getElementById(`${host}/${netns}/${dev}`).addClass('active');
    else this.cy.getElementById(`ns:${host}/${netns}`).addClass('active');
  }
}
