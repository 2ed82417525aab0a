/**
 * A broker URL as it may be shown (in a log line, an error message, an HTTP answer): its password, if it
 * has one, replaced by *** (redis://user:***@host:6379). The user name and the rest stay, to say which.
 */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (!m) return url;
  const [, scheme, authority, rest] = m;
  const at = authority.lastIndexOf('@');
  const colon = authority.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return url;
  return `${scheme}${authority.slice(0, colon)}:***${authority.slice(at)}${rest}`;
}

/** `text` with every occurrence of `url`'s password replaced, for messages that may quote it. */
export function redactSecret(text: string, url: string): string {
  const shown = redactUrl(url);
  if (shown === url) return text;
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#:]*:([^/?#]*)@/is.exec(url);
  const secrets = [m![1]];
  try {
    secrets.push(decodeURIComponent(m![1]));
  } catch {
    // not %-encoded
  }
  let out = text.split(url).join(shown);
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}
