/**
 * dd and rm on the host's file store, through the lab's shell (as /bin/dd and /bin/rm too).
 */
import { Lab } from '@skblab/runtime';
import { lookup_inode } from '@skblab/kernel';
import { newShell, runScript } from './session';
import { defaultCommands } from '@skblab/userland';

async function run(script: string) {
  const lab = new Lab();
  const host = lab.addHost('host1');
  let out = '';
  let err = '';
  const shell = newShell(lab, host, defaultCommands(), { out: (s) => (out += s), err: (s) => (err += s) });
  const status = await runScript(shell, script);
  return { out, err, status, host };
}

describe('dd', () => {
  it('copies count blocks of bs bytes from /dev/zero into a new file, quietly with status=none', async () => {
    const r = await run('/bin/dd bs=1 count=5 if=/dev/zero of=/tmp/testfile status=none');
    expect(r.status).toBe(0);
    expect(r.err).toBe('');
    const inode = lookup_inode(r.host.fs, '/tmp/testfile')!;
    expect(inode.size).toBe(5);
    expect(Array.from(inode.data.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
  });

  it('reports records in and out; a partial last block counts after the +', async () => {
    const r = await run('dd bs=4 count=2 if=/dev/zero of=/tmp/a; dd if=/tmp/a of=/tmp/b bs=3');
    expect(r.status).toBe(0);
    expect(r.err).toBe(
      '2+0 records in\n2+0 records out\n8 bytes copied, 0 s, Infinity B/s\n' +
        '2+1 records in\n2+1 records out\n8 bytes copied, 0 s, Infinity B/s\n',
    );
    expect(lookup_inode(r.host.fs, '/tmp/b')!.size).toBe(8);
  });

  it('fails on a missing input, an unknown operand and a bad number', async () => {
    expect((await run('dd if=/tmp/none of=/tmp/x')).err).toBe(
      "dd: failed to open '/tmp/none': No such file or directory\n",
    );
    const bad = await run('dd foo=1');
    expect(bad.status).toBe(1);
    expect(bad.err).toBe("dd: unrecognized operand 'foo=1'\nTry 'dd --help' for more information.\n");
    expect((await run('dd bs=x')).err).toBe("dd: invalid number: 'x'\n");
  });
});

describe('rm', () => {
  it('removes a file; -f is quiet about a missing one, without it rm fails', async () => {
    const r = await run('dd count=1 if=/dev/zero of=/tmp/f status=none; /bin/rm -f /tmp/f; rm -f /tmp/f');
    expect(r.status).toBe(0);
    expect(lookup_inode(r.host.fs, '/tmp/f')).toBeNull();
    const miss = await run('rm /tmp/f');
    expect(miss.status).toBe(1);
    expect(miss.err).toBe("rm: cannot remove '/tmp/f': No such file or directory\n");
    expect((await run('rm /tmp')).err).toBe("rm: cannot remove '/tmp': Is a directory\n");
  });

  it('a path to no installed program is "No such file or directory", status 127', async () => {
    const r = await run('/bin/nosuch');
    expect(r.status).toBe(127);
    expect(r.err).toBe('bash: /bin/nosuch: No such file or directory\n');
  });
});
