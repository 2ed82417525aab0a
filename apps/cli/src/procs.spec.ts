import { spawn } from 'node:child_process';
import { identify, statStartTime, verify, waitExit } from './procs';

describe('process identity (pid, start time, command line)', () => {
  it('reads field 22 of /proc/PID/stat, whatever the command name holds', () => {
    const fields = (comm: string) =>
      `4242 (${comm}) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 12345678 300`;
    expect(statStartTime(fields('node'))).toBe('987654');
    expect(statStartTime(fields('a) b (c'))).toBe('987654');
    expect(statStartTime(fields('with spaces and ) ) parens'))).toBe('987654');
    expect(statStartTime('garbage')).toBeNull();
    expect(statStartTime('1 (x) S 1 2')).toBeNull();
  });

  it('identifies this process and verifies only a record that matches all three', () => {
    const me = identify(process.pid)!;
    expect(me.pid).toBe(process.pid);
    expect(me.startTime).toMatch(/^\d+$/);
    expect(me.cmdline[0]).toContain('node');
    expect(verify(me)).toMatchObject({ ok: true });
    // What someone could write into Redis: a bare pid, a wrong start time, another command line.
    expect(verify({ pid: process.pid })).toMatchObject({
      ok: false,
      gone: false,
      why: expect.stringMatching(/no start time/),
    });
    expect(verify({ ...me, cmdline: ['/bin/sh'] })).toMatchObject({
      ok: false,
      gone: false,
      why: expect.stringMatching(/runs '.*node/),
    });
    expect(verify({ ...me, startTime: String(Number(me.startTime) + 1) })).toMatchObject({
      ok: false,
      gone: true,
    });
    expect(verify({ ...me, pid: 1 })).toMatchObject({ ok: false, gone: false });
    expect(verify(null)).toMatchObject({ ok: false, gone: false });
    expect(verify('{"pid":1}')).toMatchObject({ ok: false, gone: false });
    expect(verify({ pid: -5, startTime: '1', cmdline: ['x'] })).toMatchObject({ ok: false });
  });

  it('says a recorded process has exited once it has', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const id = identify(child.pid!)!;
    expect(id.cmdline).toEqual(['sleep', '30']);
    expect(verify(id).ok).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await waitExit(id.pid, 2_000)).toBe(true);
    expect(verify(id)).toMatchObject({ ok: false, gone: true });
  });
});
