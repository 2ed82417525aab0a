/**
 * A process of a distributed lab must not die because of where its output goes. Node emits an 'error' on
 * process.stdout or process.stderr when a write fails (EPIPE: the reader, such as the `skblab up` that
 * started it, has exited; EIO, ENOSPC), and an 'error' nobody listens to ends the process. The services,
 * the supervisor and the shell's long-lived parts call this once: a failed write loses that line, nothing
 * more.
 */
let installed = false;

export function tolerateBrokenOutput(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
}
