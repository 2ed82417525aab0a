/**
 * The host's files from the shell: `>` and `>>` to files, mkdir [-p], ls [-l], cat and rmdir, with the
 * messages bash and GNU coreutils 9.1 print (taken from this machine's bash and coreutils in a namespace).
 */
import { lookup_inode } from '@skblab/kernel';
import { tokenize } from './tokenize';
import { runOnOneHost } from '@skblab/userland/testing/one-host';

const run = runOnOneHost;

describe('redirection to files', () => {
  it('tokenizes > >> 2> &> and 1>&2 with their targets, quoted or glued to the word', () => {
    expect(tokenize('echo hi>f 2>>"a b" &> g >&2')).toEqual([
      { kind: 'word', value: 'echo' },
      { kind: 'word', value: 'hi' },
      { kind: 'redir', value: { fd: 1, path: 'f', append: false } },
      { kind: 'redir', value: { fd: 2, path: 'a b', append: true } },
      { kind: 'redir', value: { fd: 'all', path: 'g', append: false } },
      { kind: 'redir', value: 'out-to-err' },
    ]);
  });

  it('the README line: mkdir -p /srv && echo hi > /srv/index.html && cat && ls', async () => {
    const r = await run('mkdir -p /srv && echo hi > /srv/index.html && cat /srv/index.html && ls /srv');
    expect(r.err).toBe('');
    expect(r.out).toBe('hi\nindex.html\n');
    expect(r.status).toBe(0);
  });

  it('> truncates, >> appends, 2> takes stderr only', async () => {
    const r = await run(
      'echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f\necho three > /tmp/f; cat /tmp/f\ncat /nope 2> /tmp/e; cat /tmp/e',
    );
    expect(r.out).toBe('one\ntwo\nthree\ncat: /nope: No such file or directory\n');
    expect(r.err).toBe('');
  });

  it("a target that cannot be opened is bash's error, status 1, and the command does not run", async () => {
    const r = await run(
      'mkdir /d\necho a > /nope/x; echo rc=$?\necho a > /d; echo rc=$?\necho a >; echo rc=$?',
    );
    expect(r.err).toBe(
      'bash: line 2: /nope/x: No such file or directory\n' +
        'bash: line 3: /d: Is a directory\n' +
        "bash: line 4: syntax error near unexpected token `;'\n",
    );
    expect(r.out).toBe('rc=1\nrc=1\n');
  });

  it('stamps the file with the simulated clock: ls -l dates it', async () => {
    const r = await run('sleep 70; echo hi > /tmp/x; ls -l /tmp/x');
    expect(r.out).toBe('-rw-r--r-- 1 root root 3 Jan  1 00:01 /tmp/x\n');
    expect(lookup_inode(r.host.fs, '/tmp/x')!.mtime).toBeGreaterThanOrEqual(70e9);
  });
});

describe('mkdir', () => {
  it('says what coreutils says for an existing name, a missing parent, a file in the way, no operand', async () => {
    const r = await run(
      'mkdir -p /srv && echo hi > /srv/index.html\n' +
        'mkdir /srv; echo rc=$?\nmkdir /nope/x; echo rc=$?\nmkdir -p /srv/index.html/x; echo rc=$?\n' +
        'mkdir -p /srv/index.html; echo rc=$?\nmkdir; echo rc=$?\nmkdir -p /srv; echo rc=$?',
    );
    expect(r.err).toBe(
      "mkdir: cannot create directory '/srv': File exists\n" +
        "mkdir: cannot create directory '/nope/x': No such file or directory\n" +
        "mkdir: cannot create directory '/srv/index.html': Not a directory\n" +
        "mkdir: cannot create directory '/srv/index.html': File exists\n" +
        "mkdir: missing operand\nTry 'mkdir --help' for more information.\n",
    );
    expect(r.out).toBe('rc=1\nrc=1\nrc=1\nrc=1\nrc=1\nrc=0\n');
  });

  it('-p makes every missing parent, -v names each, -m sets the mode', async () => {
    const r = await run('mkdir -pv /a/b/c; mkdir -m 700 /a/p; ls -l /a');
    expect(r.out).toBe(
      "mkdir: created directory '/a'\nmkdir: created directory '/a/b'\nmkdir: created directory '/a/b/c'\n" +
        'total 0\ndrwxr-xr-x 3 root root 0 Jan  1 00:00 b\ndrwx------ 2 root root 0 Jan  1 00:00 p\n',
    );
  });
});

describe('ls', () => {
  it('lists one name a line off a terminal, files before directories, with headers for several', async () => {
    const r = await run('mkdir -p /w/sub; echo x > /w/f; ls /w; ls /w/f /nope /w /w/sub; echo rc=$?');
    expect(r.out).toBe('f\nsub\n/w/f\n\n/w:\nf\nsub\n\n/w/sub:\nrc=2\n');
    expect(r.err).toBe("ls: cannot access '/nope': No such file or directory\n");
  });

  it('-l: total in 1K blocks, link counts, sizes in aligned columns; /dev devices as major, minor', async () => {
    const r = await run('mkdir -p /w/sub; echo 12345 > /w/f; ls -l /w; ls -l /dev');
    expect(r.out).toBe(
      'total 4\n-rw-r--r-- 1 root root 6 Jan  1 00:00 f\ndrwxr-xr-x 2 root root 0 Jan  1 00:00 sub\n' +
        'total 0\ncrw-rw-rw- 1 root root 1, 3 Jan  1 00:00 null\ncrw-rw-rw- 1 root root 1, 5 Jan  1 00:00 zero\n',
    );
  });

  it('-a shows . and .., and hidden names; at a terminal, names go in columns', async () => {
    const a = await run('mkdir /w; echo > /w/.h; echo > /w/v; ls -a /w; ls /w');
    expect(a.out).toBe('.\n..\n.h\nv\nv\n');
    const t = await run('mkdir /w; echo > /w/a; echo > /w/b; echo > /w/c; ls /w', true);
    expect(t.out).toBe('a  b  c\n');
  });

  it('an unknown option is exit 2 with the hint', async () => {
    const r = await run('ls -Z /');
    expect(r.err).toBe("ls: invalid option -- 'Z'\nTry 'ls --help' for more information.\n");
    expect(r.status).toBe(2);
  });
});

describe('cat and rmdir', () => {
  it('cat names the errno of a directory, a missing file, a file used as a directory', async () => {
    const r = await run('echo a > /tmp/f; cat /tmp /nope /tmp/f/x; echo rc=$?');
    expect(r.err).toBe(
      'cat: /tmp: Is a directory\ncat: /nope: No such file or directory\ncat: /tmp/f/x: Not a directory\n',
    );
    expect(r.out).toBe('rc=1\n');
  });

  it('rmdir removes an empty directory and refuses a full one', async () => {
    const r = await run('mkdir -p /a/b; rmdir /a; rmdir /a/b /a; ls /a; echo rc=$?');
    expect(r.err).toBe(
      "rmdir: failed to remove '/a': Directory not empty\nls: cannot access '/a': No such file or directory\n",
    );
    expect(r.out).toBe('rc=2\n');
  });
});
