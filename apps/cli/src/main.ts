/**
 * skblab's command line: `skblab shell [NODE] [-f TOPOLOGY]` opens a root shell on a node of an embedded
 * lab (everything in this process). On a terminal it is interactive; otherwise it runs standard input.
 */
import * as readline from 'node:readline';
import { defaultCommands } from '@skblab/userland';
import { Lab, LabStalledError, buildHardware } from '@skblab/runtime';
import { defaultTopology, isTopologyError, loadTopologyFile } from '@skblab/topology';
import { KSFT_DEFINES, runScriptFile } from '@skblab/packetdrill';
import { ExitRequest, bootTopology, newShell, promptLine, runScript, type ShellOptions } from '@skblab/shell';
import { journeyTracer, type JourneyTracer } from '@skblab/distributed/otlp';

const USAGE = `Usage: skblab shell [NODE] [-f TOPOLOGY] [--mode embedded|distributed [--spawn [--replicas N]] [--lab ID]]
       skblab up [--lab ID] [-f TOPOLOGY] [--replicas N] [--replace]
       skblab exec --lab ID [NODE]
       skblab logs --lab ID [SERVICE] [--follow]
       skblab restart --lab ID SERVICE
       skblab down --lab ID
       skblab packetdrill [--tolerance_usecs=N] [-D NAME=VALUE]... [-v] SCRIPT...
       skblab class render --roster FILE --out DIR
       skblab run [-f TOPOLOGY | --lab ID] [--node NODE] SCRIPT [ARGS...]
       skblab lab list | start NAME | check NAME | hint NAME | reset NAME   (graded labs: skblab lab --help)
       skblab web [-f TOPOLOGY | --lab ID] [--port N]
       skblab compare [--requests N] [--json]
       skblab --help | --version

  shell      open a root shell on NODE (default: host1) of a lab.
             With a terminal it is interactive; otherwise it runs the lines of
             standard input, one command per line, and exits at the end.
  -f FILE    build the lab from a topology file (docs/topology.md, examples/)
             instead of the default one: host1 and host2, each with an igb
             NIC eth0 (192.168.1.1/24 and 192.168.1.2/24), joined by a wire.
  --mode M   embedded (default): the whole lab in this process.
             distributed: each kernel layer is a service, skbs travel between
             them on Kafka (KAFKA_BROKERS, default 127.0.0.1:9092) and they
             share Redis (REDIS_URL, default redis://127.0.0.1:6379).
  --spawn    (distributed) start the layer services first, stop them at the end.
  --lab ID   (distributed) the lab to use: one started with 'up', or the id to
             give the spawned one (default: a new one).
  --replicas N  (up, --spawn) run N replicas of each layer service (1-16,
             default 1); they split the hosts between them.
  up         start a distributed lab's services and leave them running, under a
             supervisor that restarts a service that exits (with back-off).
             A lab id that is running is refused (naming who started it and
             when) unless --replace is given: that lab is stopped first.
  exec       a shell on NODE of a lab started with 'up' (shell --mode distributed --lab ID).
  logs       what the lab's services (or one of them, or 'supervisor') wrote;
             --follow keeps printing what they write next.
  restart    restart one service of a lab started with 'up' (an instance such
             as nic-2, or a layer: all its replicas).
  down       stop a lab started with 'up' and delete its topics, consumer groups,
             keys and log folder. Only processes the lab started are signalled.
  packetdrill  run packetdrill scripts, each against a fresh host (192.168.0.1
             on tun0, the script at 192.0.2.1 behind it); exit 0 only if all pass.
             -D NAME=VALUE defines a name the scripts use; the kernel selftests'
             TFO_COOKIE, TFO_COOKIE_ZERO, CMSG_LEVEL_IP, CMSG_TYPE_RECVERR are
             defined as tools/testing/selftests/net/packetdrill defines them,
             CODE=host_unreachable as packetdrill's run_all.py does.
  class render  write a class's Kubernetes manifests into DIR: for each student
             of the roster (a CSV file with the columns id,name) a namespace
             with its own lab, quota, network policies, credentials and shell
             pod; 'kubectl apply -k DIR' creates them (docs/classes.md).
  run        run SCRIPT with bash against a lab that lives as long as the script:
             the lab's ip, ping, sysctl, tc, ss, nc, ... come first on its PATH and
             act on NODE (default: the first host); its exit status is the script's.
             With --lab, against a running distributed lab (skblab up).
  web        serve the web console of an embedded lab (topology, terminal, each
             skb's journey through the layers, counters; docs/web.md) and print
             its URL; --port N (default 8080, 0: any free port). With --lab, of a
             running distributed lab (skblab up).
  compare    the same redis-cli request over 127.0.0.1, the host's own address,
             AF_UNIX and the sockmap bypass: a table of kernel functions, steps,
             skbs, counters and simulated time per request (docs/compare.md).

Inside the shell: ip, ping, traceroute, nc, iperf, tc, ethtool, tcpdump, sysctl, nstat, taskset,
cat /proc/net/... and /proc/interrupts, on NODE CMD (a command on another host),
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
  if (sub === 'packetdrill') return packetdrillMain(rest);
  if (sub === 'class') return (await import('./class/render')).classMain(rest);
  if (sub === 'run') return (await import('./run/run')).runMain(rest);
  if (sub === 'lab') return (await import('./lab/lab')).labMain(rest);
  if (sub === 'web') return (await import('./web/web')).webMain(rest);
  if (sub === 'compare') return (await import('./compare/compare')).compareMain(rest);
  const SUBS = ['shell', 'up', 'down', 'exec', 'logs', 'restart', 'supervise'];
  if (!SUBS.includes(sub)) {
    process.stderr.write(`skblab: unknown command '${sub}'\n\n${USAGE}`);
    return 2;
  }
  let node: string | null = null;
  let topo: string | null = null;
  let mode: 'embedded' | 'distributed' = sub === 'shell' ? 'embedded' : 'distributed';
  let spawnServices = false;
  let labId: string | null = null;
  let replicas = 1;
  let replace = false;
  let follow = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '-f' || a === '--file') {
      topo = rest[++i] ?? null;
      if (!topo) {
        process.stderr.write('skblab: option -f needs a topology file\n');
        return 2;
      }
    } else if (a === '--mode' && sub === 'shell') {
      const m = rest[++i];
      if (m !== 'embedded' && m !== 'distributed') {
        process.stderr.write(`skblab: unknown mode '${m ?? ''}' (embedded or distributed)\n`);
        return 2;
      }
      mode = m;
    } else if (a === '--spawn' && sub === 'shell') spawnServices = true;
    else if (a === '--replace' && sub === 'up') replace = true;
    else if ((a === '--follow' || a === '-F') && sub === 'logs') follow = true;
    else if (a === '--replicas' && (sub === 'shell' || sub === 'up' || sub === 'supervise')) {
      const v = rest[++i];
      if (!v || !/^\d+$/.test(v) || +v < 1 || +v > 16) {
        process.stderr.write(
          `skblab: option --replicas needs a number from 1 to 16${v ? `, got '${v}'` : ''}\n`,
        );
        return 2;
      }
      replicas = +v;
    } else if (sub === 'down' && !a.startsWith('-')) {
      process.stderr.write(`skblab: unexpected argument '${a}'\n`);
      return 2;
    } else if (a === '--lab') {
      labId = rest[++i] ?? null;
      if (!labId) {
        process.stderr.write('skblab: option --lab needs a lab id\n');
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
  if (sub === 'logs' || sub === 'restart' || sub === 'supervise') {
    const d = await import('./distributed');
    if (!labId) {
      process.stderr.write(`skblab: ${sub} needs --lab ID\n`);
      return 2;
    }
    const bad = d.checkLabId(labId);
    if (bad) {
      process.stderr.write(bad + '\n');
      return 2;
    }
    if (sub === 'logs') return showLogs(d, labId, node ?? undefined, follow);
    const brokers = brokersOr(d);
    if (typeof brokers === 'string') {
      process.stderr.write(brokers);
      return 2;
    }
    if (sub === 'supervise') return (await import('./supervisor')).supervise(labId, brokers, replicas);
    if (!node) {
      process.stderr.write('skblab: restart needs a SERVICE (ip, nic-2, ...)\n');
      return 2;
    }
    try {
      await d.checkBrokers(brokers);
      for (const r of await d.restartService(labId, brokers, node))
        process.stdout.write(`skblab: lab ${labId}: ${r.instance} restarted (pid ${r.from} -> ${r.to})\n`);
      return 0;
    } catch (e) {
      process.stderr.write(`skblab: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
  }
  let lab = new Lab();
  const spec = topo ? loadTopologyFile(topo) : defaultTopology();
  if (isTopologyError(spec)) {
    process.stderr.write(spec.error + '\n');
    return 1;
  }
  buildHardware(lab, spec);
  /** The lab's boot: every host's configuration lines (only for a lab this command makes). */
  let boot:
    | ((l: Lab, around?: (host: string) => ShellOptions['aroundLine']) => Promise<string | null>)
    | null = (l, around) => bootTopology(l, spec, defaultCommands(), around);
  let closeLab = async () => undefined as void;
  let aroundLine: ((host: string) => ShellOptions['aroundLine']) | undefined;
  if (mode === 'distributed') {
    const d = await import('./distributed');
    const bad = labId && d.checkLabId(labId);
    if (bad) {
      process.stderr.write(bad + '\n');
      return 2;
    }
    if (sub === 'exec' && !labId) {
      process.stderr.write("skblab: exec needs --lab ID (a lab from 'skblab up')\n");
      return 2;
    }
    if (replicas > 1 && sub === 'shell' && !spawnServices) {
      process.stderr.write("skblab: --replicas goes with --spawn (or 'skblab up'): it starts the services\n");
      return 2;
    }
    if (mode === 'distributed' && sub === 'shell' && !spawnServices && !labId) {
      process.stderr.write(
        "skblab: distributed mode needs --spawn (start the services) or --lab ID (a lab from 'skblab up')\n",
      );
      return 2;
    }
    const brokers = brokersOr(d);
    if (typeof brokers === 'string') {
      process.stderr.write(brokers);
      return 2;
    }
    const hosts = spec;
    const id = labId ?? d.newLabId();
    try {
      await d.checkBrokers(brokers);
      if (sub === 'down') {
        if (!labId) {
          process.stderr.write('skblab: down needs --lab ID\n');
          return 2;
        }
        const r = await d.downLab(id, brokers);
        for (const l of r.refused) process.stderr.write(l + '\n');
        process.stdout.write(`skblab: lab ${id} down (${r.stopped} services stopped)\n`);
        return 0;
      }
      if (sub === 'up') {
        const started = await d.upSupervised(id, hosts, brokers, replicas, replace, (l) =>
          process.stderr.write(l + '\n'),
        );
        for (const s of started) process.stdout.write(`${s.instance} ${s.url}\n`);
        // The hosts' boot configuration, replayed by every service like any `ip` line typed later.
        const opened = await d.openDistributedLab({
          labId: id,
          spawn: false,
          hosts,
          brokers,
          announce: () => undefined,
        });
        try {
          const err = await opened.boot((around) => boot!(opened.lab, around));
          if (err) {
            process.stderr.write(err + '\n');
            return 1;
          }
        } finally {
          await opened.close();
        }
        process.stdout.write(
          `skblab: lab ${id} up; 'skblab exec --lab ${id}' opens a shell, 'skblab down --lab ${id}' stops it\n`,
        );
        return 0;
      }
      const opened = await d.openDistributedLab({
        labId: id,
        spawn: spawnServices,
        hosts,
        brokers,
        announce: (l) => void process.stderr.write(l + '\n'),
        replicas,
        onStall: (l) => void process.stderr.write(`skblab: ${l}\n`),
      });
      lab = opened.lab;
      closeLab = opened.close;
      aroundLine = opened.aroundLine;
      const bootLab = boot;
      // A lab started with `up` booted then; `exec` joins it as it is.
      boot = spawnServices && bootLab ? (l) => opened.boot((around) => bootLab(l, around)) : null;
    } catch (e) {
      if (e instanceof d.LabRunningError || e instanceof d.NoSuchLabError) {
        process.stderr.write(`skblab: ${e.message}\n`);
        return 1;
      }
      const why = e instanceof Error ? e.message : String(e);
      process.stderr.write(
        /no topology/.test(why)
          ? `skblab: no lab '${id}' (start one with 'skblab up --lab ${id}', or use --spawn)\n`
          : d.redactSecret(
              `skblab: distributed mode: ${why} (KAFKA_BROKERS=${brokers.kafka.join(',')}, REDIS_URL=${brokers.redisUrl})\n`,
              brokers.redisUrl,
            ),
      );
      return 1;
    }
  }
  // SKBLAB_OTLP_ENDPOINT: each command line's journeys go to that collector as one trace (docs/otlp.md).
  let otlp: JourneyTracer | null = null;
  const endpoint = process.env.SKBLAB_OTLP_ENDPOINT;
  if (endpoint) {
    try {
      otlp = journeyTracer(lab, { endpoint, service: mode === 'distributed' ? 'socket' : undefined });
    } catch (e) {
      process.stderr.write(`skblab: ${e instanceof Error ? e.message : String(e)}\n`);
      await closeLab();
      return 2;
    }
  }
  const tracer = otlp;
  try {
    const err = boot && (await boot(lab, aroundLine));
    if (err) {
      process.stderr.write(err + '\n');
      return 1;
    }
    return await runShell(lab, node, tracer ? (h) => tracer.aroundLine(h, aroundLine?.(h)) : aroundLine);
  } catch (e) {
    // A distributed lab that does not settle: its message says which service and what to do.
    if (!(e instanceof LabStalledError)) throw e;
    process.stderr.write(`skblab: ${e.message}\n`);
    return 1;
  } finally {
    await otlp?.stop();
    await closeLab();
  }
}

/** The brokers from the environment, or what is wrong with it (a usage error, not a crash). */
function brokersOr(d: typeof import('./distributed')): ReturnType<typeof d.brokersFromEnv> | string {
  try {
    return d.brokersFromEnv();
  } catch (e) {
    return `skblab: ${e instanceof Error ? e.message : String(e)}\n`;
  }
}

/** `skblab logs`: each log file, its lines prefixed with its name when there are several; --follow. */
async function showLogs(
  d: typeof import('./distributed'),
  labId: string,
  service: string | undefined,
  follow: boolean,
): Promise<number> {
  let logs: ReturnType<typeof d.labLogs>;
  try {
    logs = d.labLogs(labId, service);
  } catch (e) {
    process.stderr.write(`skblab: ${(e as Error).message}\n`);
    return 1;
  }
  const fs = await import('node:fs');
  const width = Math.max(...logs.map((l) => l.name.length));
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  const print = () => {
    for (const l of logs) {
      let text: string;
      try {
        const at = offsets.get(l.file) ?? 0;
        const fd = fs.openSync(l.file, 'r');
        try {
          const size = fs.fstatSync(fd).size;
          const buf = Buffer.alloc(Math.max(0, size - at));
          fs.readSync(fd, buf, 0, buf.length, at);
          offsets.set(l.file, at + buf.length);
          text = (partial.get(l.file) ?? '') + buf.toString('utf8');
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        continue; // removed (the lab went down)
      }
      const cut = text.lastIndexOf('\n') + 1;
      partial.set(l.file, text.slice(cut));
      const lines = text.slice(0, cut);
      if (!lines) continue;
      process.stdout.write(
        logs.length === 1
          ? lines
          : lines
              .split('\n')
              .slice(0, -1)
              .map((x) => `${l.name.padEnd(width)} | ${x}\n`)
              .join(''),
      );
    }
  };
  print();
  if (!follow) return 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    if (!fs.existsSync(d.labDir(labId))) return 0;
    print();
  }
}

async function runShell(
  lab: Lab,
  node: string | null,
  aroundLine?: (host: string) => ShellOptions['aroundLine'],
): Promise<number> {
  const name = node ?? [...lab.hosts.keys()][0];
  const host = lab.hosts.get(name);
  if (!host) {
    process.stderr.write(`skblab: no node named '${name}' (nodes: ${[...lab.hosts.keys()].join(', ')})\n`);
    return 1;
  }
  // The reader went away (`skblab shell < script | head`): stop at the next write, as SIGPIPE stops a
  // tool on a real box (status 128+13), rather than die on an unhandled EPIPE.
  // The same holds for stderr (`skblab shell 2>&1 >/dev/null | head -1`).
  const writer = (stream: NodeJS.WriteStream) => {
    let readerGone = false;
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      readerGone = true;
    });
    return (s: string) => {
      if (readerGone) throw new ExitRequest(141);
      stream.write(s);
    };
  };
  const io = { out: writer(process.stdout), err: writer(process.stderr), tty: process.stdout.isTTY === true };
  const shell = newShell(lab, host, defaultCommands(), { ...io, aroundLine: aroundLine?.(name) });
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
    const r = await promptLine(
      () => shell.runLine(line),
      (m) => void process.stderr.write(m),
    );
    status = r.status;
    if (r.exit) break;
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

/**
 * `skblab packetdrill [--tolerance_usecs=N] [-D NAME=VALUE]... [-v] SCRIPT...`: packetdrill's command line, one
 * run per script. The kernel selftests' definitions (KSFT_DEFINES) apply unless -D redefines a name.
 */
async function packetdrillMain(args: string[]): Promise<number> {
  let tolerance: number | undefined;
  let verbose = false;
  const defines: Record<string, string> = { ...KSFT_DEFINES };
  const scripts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = /^--tolerance_usecs=(\d+)$/.exec(a);
    const d = a === '-D' ? args[++i] : /^(?:-D|--define=)(.+)$/.exec(a)?.[1];
    if (m) tolerance = Number(m[1]);
    else if (a === '-v' || a === '--verbose') verbose = true;
    else if (d !== undefined || a === '-D') {
      const eq = d?.indexOf('=') ?? -1;
      if (!d || eq < 1) {
        process.stderr.write(`packetdrill: bad definition '${d ?? ''}': expected NAME=VALUE\n`);
        return 2;
      }
      defines[d.slice(0, eq)] = d.slice(eq + 1);
    } else if (a.startsWith('-')) {
      process.stderr.write(`packetdrill: unknown option '${a}'\n`);
      return 2;
    } else scripts.push(a);
  }
  if (!scripts.length) {
    process.stderr.write(
      'usage: skblab packetdrill [--tolerance_usecs=N] [-D NAME=VALUE]... [-v] SCRIPT...\n',
    );
    return 2;
  }
  let failed = 0;
  for (const file of scripts) {
    const err = await runScriptFile(file, {
      toleranceUsecs: tolerance,
      defines,
      verbose,
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
    });
    if (err !== null) {
      failed++;
      process.stderr.write(err.endsWith('\n') ? err : err + '\n');
    }
  }
  return failed ? 1 : 0;
}
