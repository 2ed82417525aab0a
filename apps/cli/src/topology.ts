/**
 * Topology files: a small YAML subset naming hosts and their CPU counts. (The full format, with NICs,
 * wires and routes, is the many-hosts work.) Returns an error message in the style `FILE:LINE: ...`.
 */
import * as fs from 'node:fs';
import type { Lab } from '@skblab/runtime';

export function loadTopology(lab: Lab, file: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return `skblab: ${file}: No such file or directory`;
  }
  const lines = text.split('\n');
  let inHosts = false;
  let current: { name: string; cpus: number; line: number } | null = null;
  const hosts: Array<{ name: string; cpus: number; line: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/#.*$/, '');
    if (!raw.trim()) continue;
    const ln = i + 1;
    if (/^hosts:\s*$/.test(raw)) {
      inHosts = true;
      continue;
    }
    if (!inHosts) return `${file}:${ln}: expected 'hosts:' at the top level`;
    let m = /^\s*-\s*name:\s*([A-Za-z0-9_-]+)\s*$/.exec(raw);
    if (m) {
      current = { name: m[1], cpus: 2, line: ln };
      hosts.push(current);
      continue;
    }
    m = /^\s+cpus:\s*(\S+)\s*$/.exec(raw);
    if (m && current) {
      if (!/^\d+$/.test(m[1]) || Number(m[1]) < 1 || Number(m[1]) > 64)
        return `${file}:${ln}: cpus must be an integer from 1 to 64, got '${m[1]}'`;
      current.cpus = Number(m[1]);
      continue;
    }
    return `${file}:${ln}: unexpected '${raw.trim()}' (expected '- name: HOST' or 'cpus: N')`;
  }
  if (!hosts.length) return `${file}:1: no hosts defined`;
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.name)) return `${file}:${h.line}: duplicate host '${h.name}'`;
    seen.add(h.name);
    lab.addHost(h.name, h.cpus);
  }
  return null;
}
