/**
 * The lab side of the web console: the shells its terminals open (the same Shell as `skblab shell`, one per
 * terminal), and what the console remembers of each command line they ran: the journeys it began, the
 * counters it moved, the pcap file it wrote. Lines from every terminal run one at a time, as `skblab run`
 * runs its tools: the lab has one simulated clock, and a foreground job drives it until it is done.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Host } from '@skblab/kernel';
import type { Lab } from '@skblab/runtime';
import { ExitRequest, Shell, parse, tokenize, type ShellOptions } from '@skblab/shell';
import type { CommandTable } from '@skblab/userland/command';
import { countersMoved, countersOf, latestJourney, type CountersView, type Moved } from './api';

export interface CommandRecord {
  /** 1, 2, ... in the order the lines ran. */
  id: number;
  host: string;
  line: string;
  status: number;
  /** The journeys the line began: numbers first..last (first > last: none). */
  journeys: { first: number; last: number };
  moved: Moved[];
}

export interface Capture {
  /** As the command line named it. */
  file: string;
  /** Where tcpdump wrote it (tcpdump -w writes relative to the lab's working directory). */
  path: string;
  /** The command that wrote it. */
  command: number;
  /** When (wall clock, ms) that command began: a file older than that is not its capture. */
  since: number;
}

/** pcap's magic numbers as read little-endian: microsecond and nanosecond, either byte order. */
const PCAP_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1];

/** The files `tcpdump -w FILE` writes in a command line (also behind `on NODE` or `timeout N`). */
export function pcapFilesOf(line: string): string[] {
  let items;
  try {
    items = parse(tokenize(line));
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const it of items)
    for (const c of it.pipeline.commands) {
      const at = c.argv.indexOf('tcpdump');
      if (at < 0) continue;
      const args = c.argv.slice(at + 1);
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === '--') break;
        // getopt: -w FILE, -wFILE, or w last in a cluster (-nw FILE).
        const m = /^-([a-vx-zA-Z]*)w(.*)$/.exec(a);
        if (!m) continue;
        const f = m[2] || args[++i];
        if (f) files.push(f);
      }
    }
  return files;
}

export class LabConsole {
  readonly commands: CommandRecord[] = [];
  /** The last capture a line asked tcpdump to write (it exists once tcpdump stopped). */
  capture: Capture | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  constructor(
    readonly lab: Lab,
    readonly commandTable: CommandTable,
    /** Where relative capture paths are (tcpdump opens them from the process's working directory). */
    readonly cwd = process.cwd(),
    readonly aroundLine?: (host: string) => ShellOptions['aroundLine'],
  ) {}

  /** A shell on `host` whose lines go through the console's queue and are remembered. */
  shell(host: Host, out: (s: string) => void, err: (s: string) => void): Shell {
    return new Shell({
      lab: this.lab,
      host,
      commands: this.commandTable,
      out,
      err,
      tty: true,
      aroundLine: (line, run) => this.runLine(host.name, line, run),
    });
  }

  /** The last command that ran, if any. */
  get last(): CommandRecord | null {
    return this.commands[this.commands.length - 1] ?? null;
  }

  private runLine(host: string, line: string, run: () => Promise<number>): Promise<number> {
    const inner = this.aroundLine?.(host);
    const go = async () => {
      const began = Date.now();
      const before: CountersView = countersOf(this.lab);
      const first = latestJourney(this.lab) + 1;
      let status = 1;
      try {
        status = await (inner ? inner(line, run) : run());
        return status;
      } catch (e) {
        if (e instanceof ExitRequest) status = e.status;
        throw e;
      } finally {
        if (line.trim()) {
          const id = this.nextId++;
          this.commands.push({
            id,
            host,
            line,
            status,
            journeys: { first, last: latestJourney(this.lab) },
            moved: countersMoved(before, countersOf(this.lab)),
          });
          if (this.commands.length > 100) this.commands.shift();
          const files = pcapFilesOf(line);
          if (files.length) {
            const file = files[files.length - 1];
            this.capture = { file, path: path.resolve(this.cwd, file), command: id, since: began };
          }
        }
      }
    };
    const p = this.queue.then(go, go);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /**
   * The last capture's bytes, or why there are none. Only what tcpdump wrote since that line: a regular
   * file, newer than the line, that is a pcap (a line only naming a file, `echo tcpdump -w /etc/passwd`,
   * must not serve it; nor may a device or a FIFO hang the server).
   */
  readCapture(): { name: string; bytes: Buffer } | { error: string } {
    const c = this.capture;
    if (!c) return { error: "no capture yet: run 'tcpdump -w FILE' in the terminal" };
    const notYet = { error: `${c.file}: not written yet (tcpdump writes it when it stops)` };
    let st: fs.Stats;
    try {
      st = fs.statSync(c.path);
    } catch {
      return notYet;
    }
    // A file system's clock is coarser than Date.now(): a second of slack.
    if (!st.isFile() || st.mtimeMs < c.since - 1000) return notYet;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(c.path);
    } catch {
      return notYet;
    }
    if (bytes.length < 24 || !PCAP_MAGICS.includes(bytes.readUInt32LE(0)))
      return { error: `${c.file}: not a pcap file` };
    return { name: path.basename(c.file), bytes };
  }
}
