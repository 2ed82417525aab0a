/**
 * A minimal CommandContext for driving `ip` in specs: runs command lines in a lab host (or one of its
 * namespaces) and collects what they print and their exit status.
 */
import type { Host, Net } from '@skblab/kernel';
import { Lab } from '@skblab/runtime';
import type { Command, CommandContext } from '../command';
import { ip } from './index';

export interface Run {
  out: string;
  err: string;
  status: number;
}

const COMMANDS: Record<string, Command> = {
  ip,
  true: async () => 0,
  false: async () => 1,
  echo: async (ctx) => {
    ctx.out(ctx.argv.slice(1).join(' ') + '\n');
    return 0;
  },
};

export class IpHarness {
  readonly lab: Lab;
  readonly host: Host;

  constructor(lab?: Lab, host?: Host) {
    this.lab = lab ?? new Lab();
    this.host = host ?? this.lab.addHost('host1');
  }

  /** Run one command line (split on blanks) in `net` (default: the host's initial namespace). */
  async run(line: string | string[], net?: Net): Promise<Run> {
    const argv = typeof line === 'string' ? line.trim().split(/\s+/) : line;
    const r: Run = { out: '', err: '', status: 0 };
    r.status = await this.exec(argv, net ?? this.host.initNet, r);
    return r;
  }

  /** Run several lines; throws on the first that fails, with what it printed. */
  async setup(lines: string[]): Promise<void> {
    for (const l of lines) {
      const r = await this.run(l);
      if (r.status !== 0) throw new Error(`setup line failed (${r.status}): ${l}\n${r.out}${r.err}`);
    }
  }

  private async exec(argv: string[], net: Net, r: Run): Promise<number> {
    const fn = COMMANDS[argv[0]];
    if (!fn) {
      r.err += `bash: ${argv[0]}: command not found\n`;
      return 127;
    }
    const ctx: CommandContext = {
      lab: this.lab,
      host: this.host,
      net,
      cpu: 0,
      argv,
      stdin: null,
      out: (s) => (r.out += s),
      err: (s) => (r.err += s),
      job: { stopped: false, onStop: [] },
      task: () => {
        throw new Error('no tasks in the ip harness');
      },
      exec: (a, opts) => this.exec(a, opts.net ?? net, r),
      sleep: async () => true,
    };
    return fn(ctx);
  }
}
