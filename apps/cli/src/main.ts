/**
 * skblab's command line: `skblab shell [NODE] [-f TOPOLOGY]` opens a root shell on a node of an embedded
 * lab (everything in this process). On a terminal it is interactive; otherwise it runs standard input.
 */
import * as readline from 'node:readline';
import { Lab } from '@skblab/runtime';
import { defaultCommands } from '@skblab/userland';
import { ExitRequest, newShell, runScript } from '@skblab/shell';
import { loadTopology } from './topology';

const USAGE = `Usage: skblab shell [NODE] [-f TOPOLOGY]
       skblab --help | --version

  shell      open a root shell on NODE (default: host1) of an embedded lab.
             With a terminal it is interactive; otherwise it runs the lines of
             standard input, one command per line, and exits at the end.
  -f FILE    build the lab from a topology file instead of the default one
             (one host, host1).

Inside the shell: ip, ping, nc, iperf, sysctl, taskset, cat /proc/net/...,
skbtrace (the journeys of the last skbs). Type 'help' there for more.
`;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  for await (const chunk of stream) s += chunk.toString();
  return s;
}

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub ? process.stdout : process.stderr).write(USAGE);
    return sub ? 0 : 2;
  }
  if (sub === '--version' || sub === '-V') {
    process.stdout.write('skblab 0.1.0 (models Linux 6.12 IPv4)\n');
    return 0;
  }
  if (sub !== 'shell') {
    process.stderr.write(`skblab: unknown command '${sub}'\n\n${USAGE}`);
    return 2;
  }
  let node: string | null = null;
  let topo: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '-f' || a === '--file') {
      topo = rest[++i] ?? null;
      if (!topo) {
        process.stderr.write('skblab: option -f needs a topology file\n');
        return 2;
      }
    } else if (a === '--mode') {
      const m = rest[++i];
      if (m !== 'embedded') {
        process.stderr.write(`skblab: mode '${m ?? ''}' is not available in this build (only 'embedded')\n`);
        return 2;
      }
    } else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      process.stderr.write(`skblab: unknown option '${a}'\n\n${USAGE}`);
      return 2;
    } else if (node === null) node = a;
    else {
      process.stderr.write(`skblab: unexpected argument '${a}'\n`);
      return 2;
    }
  }
  const lab = new Lab();
  if (topo) {
    const err = loadTopology(lab, topo);
    if (err) {
      process.stderr.write(err + '\n');
      return 1;
    }
  } else lab.addHost('host1');
  const name = node ?? [...lab.hosts.keys()][0];
  const host = lab.hosts.get(name);
  if (!host) {
    process.stderr.write(`skblab: no node named '${name}' (nodes: ${[...lab.hosts.keys()].join(', ')})\n`);
    return 1;
  }
  const io = {
    out: (s: string) => void process.stdout.write(s),
    err: (s: string) => void process.stderr.write(s),
  };
  const shell = newShell(lab, host, defaultCommands(), io);
  if (!process.stdin.isTTY) return runScript(shell, await readAll(process.stdin));
  return interactive(shell, name);
}

async function interactive(shell: ReturnType<typeof newShell>, name: string): Promise<number> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const prompt = `root@${name}:~# `;
  process.stdout.write(`skblab: a simulated Linux 6.12 IPv4 stack. You are root on ${name}. Type 'help'.\n`);
  rl.setPrompt(prompt);
  // At a terminal, simulated time keeps pace with the wall clock, and Ctrl-C stops the running command.
  shell.lab.pace = 1;
  rl.on('SIGINT', () => {
    if (shell.interrupt()) process.stdout.write('^C\n');
    else {
      process.stdout.write('^C\n');
      rl.prompt();
    }
  });
  rl.prompt();
  let status = 0;
  for await (const line of rl) {
    try {
      status = await shell.runLine(line);
    } catch (e) {
      if (e instanceof ExitRequest) {
        status = e.status;
        break;
      }
      throw e;
    }
    rl.prompt();
  }
  rl.close();
  await shell.stopBackground();
  return status;
}

if (require.main === module && !process.env.SKBLAB_NO_AUTORUN) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`skblab: ${e?.stack ?? e}\n`);
      process.exit(70);
    },
  );
}
