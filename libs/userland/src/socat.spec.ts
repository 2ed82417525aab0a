/**
 * socat 1.7.4 in a one-host lab, through the shell, against what the real socat 1.7.4.4 printed in a network
 * namespace of this machine (the clock and pid of its log lines masked here as in the differential suite).
 */
import { kern_path } from '@skblab/kernel';
import { runOnOneHost } from './testing/one-host';

const mask = (s: string) =>
  s.replace(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} socat\[\d+\] /gm, 'T socat[P] ');

describe('socat', () => {
  it('TCP-LISTEN to STDIO and TCP back: the listener prints what the client sent; refusals and bind errors', async () => {
    const r = await runOnOneHost(
      'socat TCP-LISTEN:8080,reuseaddr - &\nsleep 0.2\necho hello | socat - TCP:127.0.0.1:8080; echo rc=$?\n' +
        'echo hi | socat - TCP4:127.0.0.1:8081; echo rc=$?\n' +
        'socat TCP-LISTEN:8084 - &\nsleep 0.1\nsocat TCP-LISTEN:8084 -; echo rc=$?\n',
    );
    expect(r.out).toBe('hello\nrc=0\nrc=1\nrc=1\n');
    expect(mask(r.err)).toBe(
      'T socat[P] E connect(5, AF=2 127.0.0.1:8081, 16): Connection refused\n' +
        'T socat[P] E bind(5, {AF=2 0.0.0.0:8084}, 16): Address already in use\n',
    );
    expect(r.err).toMatch(/^1970\/01\/01 00:00:00 socat\[\d+\] E /);
  });

  it('fork: a relay from TCP to a unix socket, a child per connection; the listener removes its path', async () => {
    const r = await runOnOneHost(
      'socat UNIX-LISTEN:/tmp/echo.sock,fork TCP:127.0.0.1:9000 &\n' +
        'socat TCP-LISTEN:9000,reuseaddr,fork - &\n' +
        'sleep 0.2\necho one | socat - UNIX-CONNECT:/tmp/echo.sock\necho two | socat - UNIX-CONNECT:/tmp/echo.sock\n' +
        'ls /tmp/echo.sock\n',
    );
    expect(r.out).toBe('one\ntwo\n/tmp/echo.sock\n');
    expect(r.err).toBe('');
    // The end of input stopped the listeners: socat's unlink-close removed the name.
    expect(typeof kern_path(r.host.fs, '/tmp/echo.sock')).toBe('number');
  });

  it('UNIX-LISTEN and UNIX-CONNECT, their errors, and the usage errors', async () => {
    const r = await runOnOneHost(
      'socat UNIX-LISTEN:/tmp/s.sock - &\nsleep 0.2\necho hello | socat - UNIX-CONNECT:/tmp/s.sock\nsleep 0.1\n' +
        'ls /tmp/s.sock; echo rc=$?\necho hi | socat - UNIX-CONNECT:/tmp/none.sock; echo rc=$?\n' +
        'echo x > /tmp/f\nsocat UNIX-LISTEN:/tmp/f -; echo rc=$?\nsocat -; echo rc=$?\nsocat - FOO:bar; echo rc=$?\n' +
        'socat - TCP:127.0.0.1; echo rc=$?\nsocat TCP-LISTEN:1,foo -; echo rc=$?\n',
    );
    expect(r.out).toBe('hello\nrc=2\nrc=1\nrc=1\nrc=1\nrc=1\nrc=1\nrc=1\n');
    expect(mask(r.err)).toBe(
      "ls: cannot access '/tmp/s.sock': No such file or directory\n" +
        'T socat[P] E connect(, AF=1 "/tmp/none.sock", 16): No such file or directory\n' +
        'T socat[P] E "/tmp/f" exists\n' +
        'T socat[P] E exactly 2 addresses required (there are 1); use option "-h" for help\n' +
        'T socat[P] E unknown device/address "FOO"\n' +
        'T socat[P] E TCP: wrong number of parameters (1 instead of 2)\n' +
        'T socat[P] E parseopts_table(): unknown option "foo"\n',
    );
  });

  it('-d -d: the notices of a connection and its transfer loop', async () => {
    const r = await runOnOneHost(
      'socat TCP-LISTEN:8090,reuseaddr - &\nsleep 0.2\necho hello | socat -d -d - TCP:127.0.0.1:8090\n',
    );
    const lines = mask(r.err)
      .replace(/:\d{5}\b/g, ':PORT')
      .split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'T socat[P] N reading from and writing to stdio',
      'T socat[P] N opening connection to AF=2 127.0.0.1:8090',
      'T socat[P] N successfully connected from local address AF=2 127.0.0.1:PORT',
      'T socat[P] N starting data transfer loop with FDs [0,1] and [5,5]',
    ]);
    // Which EOF comes first depends on when the listener (whose stdin is at its end at once) runs.
    expect(lines.slice(4, 6).sort()).toEqual([
      'T socat[P] N socket 1 (fd 0) is at EOF',
      'T socat[P] N socket 2 (fd 5) is at EOF',
    ]);
    expect(lines.slice(6)).toEqual(['T socat[P] N exiting with status 0', '']);
    expect(r.out).toBe('hello\n');
  });
});
