/**
 * curl 7.88.1 against busybox httpd in a lab, through the shell, against what the real curl and busybox
 * httpd printed in a network namespace of this machine (stdout not a terminal, so the meter shows without -s).
 */
import { snmp_seq_show } from '@skblab/kernel';
import { mimeType, rfc1123 } from './busybox';
import { runOnOneHost } from './testing/one-host';

const run = runOnOneHost;

const SERVE = 'mkdir -p /srv; echo hi > /srv/index.html; busybox httpd -f -p 8080 -h /srv &\nsleep 0.2\n';
const METER_HEAD =
  '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
  '                                 Dload  Upload   Total   Spent    Left  Speed\n';
const ZERO = '\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0';
const NOT_FOUND =
  '<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n<BODY><H1>404 Not Found</H1>\n' +
  'The requested URL was not found\n</BODY></HTML>\n';

describe('curl against busybox httpd on 127.0.0.1', () => {
  it("the issue's lines: the file, 404 by -w, and a refused port with the meter, exit 7", async () => {
    const r = await run(
      SERVE +
        'curl -s http://127.0.0.1:8080/\n' +
        "curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:8080/nope\n" +
        'curl http://127.0.0.1:8081/; echo rc=$?\n',
    );
    expect(r.out).toBe('hi\n404\nrc=7\n');
    expect(r.err).toBe(
      METER_HEAD +
        ZERO +
        ZERO +
        "\ncurl: (7) Failed to connect to 127.0.0.1 port 8081 after 0 ms: Couldn't connect to server\n",
    );
  });

  it("-i: busybox's head (HTTP/1.1, Date, Connection: close, type, ranges, Last-Modified, ETag, length)", async () => {
    const r = await run(SERVE + 'curl -si http://127.0.0.1:8080/');
    const date = rfc1123(0);
    expect(r.out).toBe(
      'HTTP/1.1 200 OK\r\n' +
        `Date: ${date}\r\nConnection: close\r\nContent-type: text/html\r\nAccept-Ranges: bytes\r\n` +
        `Last-Modified: ${date}\r\nETag: "0-3"\r\nContent-Length: 3\r\n\r\nhi\n`,
    );
    expect(date).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
  });

  it('404 page, 302 to the slash, 404 for a directory without index.html, 501 for POST, 400 for junk', async () => {
    const r = await run(
      SERVE +
        'mkdir /srv/sub\n' +
        'curl -si http://127.0.0.1:8080/sub\n' +
        'curl -s http://127.0.0.1:8080/sub/ http://127.0.0.1:8080/nope\n' +
        'curl -s -X POST http://127.0.0.1:8080/\n' +
        "curl -s -w '%{http_code}\\n' http://127.0.0.1:8080/a/../../index.html\n" +
        "curl -s -w '%{http_code}\\n' --path-as-is http://127.0.0.1:8080/../x\n",
    );
    expect(r.out).toBe(
      `HTTP/1.1 302 Found\r\nDate: ${rfc1123(0)}\r\nConnection: close\r\nContent-type: text/html\r\n` +
        'Location: /sub/\r\n\r\n' +
        NOT_FOUND +
        NOT_FOUND +
        '<HTML><HEAD><TITLE>501 Not Implemented</TITLE></HEAD>\n<BODY><H1>501 Not Implemented</H1>\n' +
        'The requested method is not recognized\n</BODY></HTML>\n' +
        // curl removes the dot segments before sending (GET /index.html) unless --path-as-is; busybox
        // refuses a path that climbs above its root.
        'hi\n200\n' +
        '<HTML><HEAD><TITLE>400 Bad Request</TITLE></HEAD>\n<BODY><H1>400 Bad Request</H1>\n' +
        'Unsupported method\n</BODY></HTML>\n400\n',
    );
  });

  it('-v: the connection, the request and response lines, the body size and the meter interleaved', async () => {
    const r = await run(SERVE + 'curl -v http://127.0.0.1:8080/');
    expect(r.out).toBe('hi\n');
    const err = r.err.replace(/\r100 .*\n/, '\r100 FINAL\n');
    expect(err).toBe(
      METER_HEAD +
        ZERO +
        '*   Trying 127.0.0.1:8080...\n* Connected to 127.0.0.1 (127.0.0.1) port 8080 (#0)\n' +
        '> GET / HTTP/1.1\r\n> Host: 127.0.0.1:8080\r\n> User-Agent: curl/7.88.1\r\n> Accept: */*\r\n> \r\n' +
        `< HTTP/1.1 200 OK\r\n< Date: ${rfc1123(0)}\r\n< Connection: close\r\n< Content-type: text/html\r\n` +
        `< Accept-Ranges: bytes\r\n< Last-Modified: ${rfc1123(0)}\r\n< ETag: "0-3"\r\n< Content-Length: 3\r\n< \r\n` +
        '{ [3 bytes data]\n\r100 FINAL\n* Closing connection 0\n',
    );
    // The final line: 100% of 3 bytes, and a current speed of 3 bytes over the 1 ms span curl assumes.
    expect(r.err).toMatch(/\r100 {5}3 {2}100 {5}3 {4}0 {5}0 +\d+ {6}0 --:--:-- --:--:-- --:--:-- {2}3000\n/);
  });

  it('at a terminal: no meter; -sS shows errors only; -f fails with 22', async () => {
    const r = await run(
      SERVE +
        'curl http://127.0.0.1:8080/nope -f; echo rc=$?\ncurl -sf http://127.0.0.1:8080/nope; echo rc=$?\n' +
        'curl -sS http://127.0.0.1:99999/; echo rc=$?\ncurl -s http://nosuch:80/; echo rc=$?\n',
      true,
    );
    expect(r.out).toBe('rc=22\nrc=22\nrc=3\nrc=6\n');
    expect(r.err).toBe(
      'curl: (22) The requested URL returned error: 404\ncurl: (3) URL using bad/illegal format or missing URL\n',
    );
  });

  it('-o writes the file, -I sends HEAD, -w knows its variables, bad options exit 2', async () => {
    const r = await run(
      SERVE +
        'curl -s -o /tmp/got http://127.0.0.1:8080/; cat /tmp/got\n' +
        "curl -sI -o /dev/null -w '%{http_code} %{size_download} %{content_type} %{remote_port}\\n' http://127.0.0.1:8080/\n" +
        'curl -sS -o /nope/x http://127.0.0.1:8080/; echo rc=$?\n' +
        'curl --max-time x http://127.0.0.1:8080/; echo rc=$?\ncurl --bogus; echo rc=$?\ncurl; echo rc=$?\n',
    );
    expect(r.out).toBe('hi\n200 0 text/html 8080\nrc=23\nrc=2\nrc=2\nrc=2\n');
    const TRY = "curl: try 'curl --help' or 'curl --manual' for more information\n";
    expect(r.err).toBe(
      'curl: (23) Failure writing output to destination\n' +
        `curl: option --max-time: expected a proper numerical parameter\n${TRY}` +
        `curl: option --bogus: is unknown\n${TRY}${TRY}`,
    );
  });

  it('--max-time ends a transfer the server never answers: 28, after that much simulated time', async () => {
    const r = await run(
      'nc -l 8090 > /dev/null &\nsleep 0.1\ncurl -sS --max-time 1 http://127.0.0.1:8090/; echo rc=$?',
    );
    expect(r.err).toBe('curl: (28) Operation timed out after 1000 milliseconds with 0 bytes received\n');
    expect(r.out).toBe('rc=28\n');
  });

  it('a request is one connection on lo: Tcp ActiveOpens and PassiveOpens +1 each, nothing reset', async () => {
    const r = await run(SERVE + 'curl -s http://127.0.0.1:8080/ > /dev/null');
    const tcp = snmp_seq_show(r.host.initNet)
      .split('\n')
      .filter((l) => l.startsWith('Tcp:'));
    const names = tcp[0].split(' ');
    const vals = tcp[1].split(' ');
    const v = (n: string) => Number(vals[names.indexOf(n)]);
    expect([v('ActiveOpens'), v('PassiveOpens'), v('AttemptFails'), v('EstabResets')]).toEqual([1, 1, 0, 0]);
  });
});

describe('busybox httpd', () => {
  it('is refused a port in use and a home that is not there, as busybox says; an unknown applet is 127', async () => {
    const r = await run(
      SERVE +
        'busybox httpd -f -p 8080 -h /srv; echo rc=$?\nbusybox httpd -f -p 8081 -h /nope; echo rc=$?\n' +
        'busybox nosuch; echo rc=$?\n',
    );
    expect(r.err).toBe(
      "httpd: bind: Address already in use\nhttpd: can't change directory to '/nope': No such file or directory\n" +
        'nosuch: applet not found\n',
    );
    expect(r.out).toBe('rc=1\nrc=1\nrc=127\n');
  });

  it('without -f it daemonizes: the prompt comes back at once and it keeps serving', async () => {
    const r = await run(
      'mkdir /w; echo d > /w/index.html; busybox httpd -p 127.0.0.1:80 -h /w; echo rc=$?\ncurl -s 127.0.0.1',
    );
    expect(r.out).toBe('rc=0\nd\n');
  });

  it("types files by busybox's suffix table, partial hits ending the search", () => {
    expect(mimeType('/a.html')).toBe('text/html');
    expect(mimeType('/a.htm')).toBe('text/html');
    expect(mimeType('/a.c')).toBe('text/plain');
    expect(mimeType('/a.css')).toBe('text/css');
    expect(mimeType('/a.t')).toBeNull();
    expect(mimeType('/noext')).toBeNull();
  });
});
