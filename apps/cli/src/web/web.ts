/**
 * `skblab web [-f TOPOLOGY | --lab ID] [--port N]`: an embedded lab, or a running distributed one (the
 * console's terminals are shells on it, as `skblab exec` opens), with its web console (docs/web.md).
 * Prints the console's URL and serves it until interrupted.
 */
import { Lab, buildHardware } from '@skblab/runtime';
import { bootTopology } from '@skblab/shell';
import { defaultTopology, isTopologyError, loadTopologyFile } from '@skblab/topology';
import { defaultCommands } from '@skblab/userland';
import { webAssets } from './assets';
import { LabConsole } from './console';
import { startWebServer, type WebServer } from './server';
import { joinLab, type OpenedLab } from '../run/run';

export const WEB_USAGE = 'Usage: skblab web [-f TOPOLOGY | --lab ID] [--port N] [--listen ADDRESS]\n';

export interface WebArgs {
  topology: string | null;
  /** A running distributed lab (skblab up) instead of an embedded one. */
  lab: string | null;
  port: number;
  listen: string;
}

export function parseWebArgs(args: string[]): WebArgs | { error: string; status: number } {
  const o: WebArgs = { topology: null, lab: null, port: 8080, listen: '127.0.0.1' };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-f' || a === '--file') {
      const f = args[++i];
      if (!f) return { error: 'skblab: option -f needs a topology file\n', status: 2 };
      o.topology = f;
    } else if (a === '--lab') {
      const id = args[++i];
      if (!id) return { error: 'skblab: option --lab needs a lab id\n', status: 2 };
      o.lab = id;
    } else if (a === '--port' || a === '-p') {
      const v = args[++i];
      if (!v || !/^\d+$/.test(v) || +v > 65535)
        return {
          error: `skblab: option --port needs a port number (0-65535)${v ? `, got '${v}'` : ''}\n`,
          status: 2,
        };
      o.port = +v;
    } else if (a === '--listen') {
      const v = args[++i];
      if (!v) return { error: 'skblab: option --listen needs an address\n', status: 2 };
      o.listen = v;
    } else if (a === '-h' || a === '--help') return { error: WEB_USAGE, status: 0 };
    else return { error: `skblab: web: unexpected argument '${a}'\n${WEB_USAGE}`, status: 2 };
  }
  if (o.topology && o.lab)
    return {
      error: `skblab: web: -f and --lab do not go together (a running lab has its topology)\n`,
      status: 2,
    };
  return o;
}

/** A booted embedded lab (or a joined distributed one) and its console, as `skblab web` serves them. */
export async function openWebLab(
  topology: string | null,
  opts: { port?: number; listen?: string; pace?: number; lab?: string | null } = {},
): Promise<
  | { lab: Lab; console: LabConsole; server: WebServer; close(): Promise<void> }
  | { error: string }
  | { status: number }
> {
  const commands = defaultCommands();
  let opened: OpenedLab;
  if (opts.lab) {
    // A running distributed lab: the terminals' lines reach every service, as `skblab exec`'s do.
    const joined = await joinLab(opts.lab, 'skblab web');
    if (typeof joined === 'number') return { status: joined };
    opened = joined;
  } else {
    const spec = topology ? loadTopologyFile(topology) : defaultTopology();
    if (isTopologyError(spec)) return { error: spec.error };
    const lab = new Lab();
    buildHardware(lab, spec);
    const err = await bootTopology(lab, spec, commands);
    if (err) return { error: err };
    // Someone watches: simulated time keeps pace with the wall clock, as at `skblab shell`'s prompt.
    lab.pace = opts.pace ?? 1;
    opened = { lab, close: async () => undefined };
  }
  const con = new LabConsole(opened.lab, commands, process.cwd(), opened.aroundLine);
  let server: WebServer;
  try {
    server = await startWebServer({
      console: con,
      assets: webAssets(),
      port: opts.port,
      listen: opts.listen,
    });
  } catch (e) {
    await opened.close();
    throw e;
  }
  return {
    lab: opened.lab,
    console: con,
    server,
    async close() {
      await server.close();
      await opened.close();
    },
  };
}

export async function webMain(args: string[]): Promise<number> {
  const a = parseWebArgs(args);
  if ('error' in a) {
    (a.status ? process.stderr : process.stdout).write(a.error);
    return a.status;
  }
  let opened;
  try {
    opened = await openWebLab(a.topology, { port: a.port, listen: a.listen, lab: a.lab });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      process.stderr.write(`skblab: web: port ${a.port} is in use (choose another with --port N, 0: any)\n`);
      return 1;
    }
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
      process.stderr.write(`skblab: web: cannot listen on ${a.listen}: ${err.code}\n`);
      return 1;
    }
    throw e;
  }
  if ('status' in opened) return opened.status;
  if ('error' in opened) {
    process.stderr.write(opened.error + '\n');
    return 1;
  }
  process.stdout.write(
    `skblab: web console for ${a.lab ? `lab ${a.lab}` : 'the lab'} (${[...opened.lab.hosts.keys()].join(', ')}) at ${opened.server.url}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await opened.close();
  return 0;
}
