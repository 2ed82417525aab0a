/** Small helpers shared by the service shell. */

export const errMsg = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Resolves or rejects as `p` does, or rejects with "`what` timed out after `ms` ms" first. Keeps nothing alive. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  p.catch(() => undefined); // a late rejection of the loser is not unhandled
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Waits for work a service started in the background, at most `ms` (at shutdown: a command queued for a
 * Redis that never answered may never settle). Never rejects.
 */
export function awaitAtMost(ms: number, p: Promise<unknown>): Promise<void> {
  return within(ms, 'background work', p).then(
    () => undefined,
    () => undefined,
  );
}
