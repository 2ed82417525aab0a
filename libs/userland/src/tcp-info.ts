/**
 * Reading struct tcp_info (include/uapi/linux/tcp.h) as the kernel's tcp_get_info fills it: a field by its
 * C name (tcpi_snd_cwnd), whichever spelling the object uses (tcpi_snd_cwnd, tcpiSndCwnd, sndCwnd).
 */

/** TCPI_OPT_* bits of tcpi_options */
export {
  TCPI_OPT_TIMESTAMPS,
  TCPI_OPT_SACK,
  TCPI_OPT_WSCALE,
  TCPI_OPT_ECN,
  TCPI_OPT_ECN_SEEN,
  TCPI_OPT_SYN_DATA,
} from '@skblab/kernel';

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** A numeric field of a tcp_info object (0 when absent). */
export function tcpInfoField(info: unknown, cName: string): number {
  if (!info || typeof info !== 'object') return 0;
  const o = info as Record<string, unknown>;
  const bare = cName.replace(/^tcpi_/, '');
  for (const k of [cName, camel(cName), camel(bare), bare]) {
    const v = o[k];
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
  }
  return 0;
}
