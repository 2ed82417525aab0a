import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../main';
import { classMain, findK8sDir, renderClass } from './render';
import { RosterError, parseCsv, parseRoster } from './roster';

const roster = (text: string) => parseRoster(text, 'students.csv');
const refusal = (text: string) => {
  try {
    roster(text);
  } catch (e) {
    expect(e).toBeInstanceOf(RosterError);
    return (e as Error).message;
  }
  throw new Error('the roster was accepted');
};

describe('a roster', () => {
  it('reads CSV as spreadsheets write it: quotes, doubled quotes, CRLF, a byte-order mark, blank lines', () => {
    expect(parseCsv('\ufeffid,name\r\nbob,"Bob, ""the"" builder"\r\n\r\ncarol,"two\nlines"\n')).toEqual([
      { fields: ['id', 'name'], line: 1 },
      { fields: ['bob', 'Bob, "the" builder'], line: 2 },
      { fields: [''], line: 3 },
      { fields: ['carol', 'two\nlines'], line: 4 },
    ]);
    expect(roster('ID , Name\n\nalice , Alice Liddell\nbob,\n')).toEqual([
      { id: 'alice', name: 'Alice Liddell', line: 3 },
      { id: 'bob', name: '', line: 4 },
    ]);
    expect(roster('id\nalice')).toEqual([{ id: 'alice', name: '', line: 2 }]);
  });

  it.each([
    ['a:b', 3],
    ['*', 3],
    ['..', 3],
    ['x'.repeat(1000), 3],
    ['Alice', 3],
    ['al_ice', 3],
    ['-alice', 3],
    // A namespace name ends with a letter or digit, and skblab-<id> has 63 characters at most.
    ['alice-', 3],
    ['x'.repeat(57), 3],
    ['', 3],
  ])('refuses the student id %j, naming it and its line', (id, line) => {
    expect(refusal(`id,name\nbob,Bob\n${id},X\n`)).toBe(
      `invalid student id ${JSON.stringify(id)} (line ${line}): 1-56 lower-case letters, digits or '-', ` +
        `starting and ending with a letter or digit (it is the student's lab id and names the namespace skblab-<id>)`,
    );
  });

  it('takes an id of 56 characters, the longest that makes a namespace name', () => {
    expect(roster(`id\n${'x'.repeat(56)}\n`)[0].id).toHaveLength(56);
  });

  it('refuses a duplicate id, an empty roster, an unknown column and a line of the wrong width', () => {
    expect(refusal('id,name\nalice,A\nbob,B\nalice,C\n')).toBe(
      'duplicate student id "alice" (line 4; first on line 2)',
    );
    const none = 'students.csv: no students (the header line "id,name", then one line per student)';
    expect(refusal('')).toBe(none);
    expect(refusal('\n\n')).toBe(none);
    expect(refusal('id,name\n')).toBe(none);
    expect(refusal('id,email\nalice,a@example.org\n')).toMatch(
      /^unknown column "email" \(line 1\): the columns are id and name/,
    );
    expect(refusal('name\nAlice\n')).toMatch(/^students.csv: the header has no id column/);
    expect(refusal('id,name\nalice,Alice,extra\n')).toBe('line 2: 3 fields, but the header names 2');
    expect(refusal('id,name\nalice,"Alice\n')).toBe('line 2: a quoted field is not closed');
  });
});

describe('skblab class', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-class-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(...args: string[]) {
    let out = '';
    let err = '';
    const status = await classMain(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
    return { status, out, err };
  }
  const file = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('says what is wrong with a roster and exits 1, writing nothing', async () => {
    const out = path.join(dir, 'out');
    for (const [text, message] of [
      ['id,name\nalice,A\na:b,B\n', 'invalid student id "a:b" (line 3): 1-56 lower-case letters'],
      ['id,name\nalice,A\nalice,B\n', 'duplicate student id "alice" (line 3; first on line 2)'],
      ['', 'no students'],
    ]) {
      const r = await run('render', '--roster', file('students.csv', text), '--out', out);
      expect(r).toEqual({ status: 1, out: '', err: expect.stringContaining(`skblab class render: `) });
      expect(r.err).toContain(message);
      expect(r.err.split('\n')).toHaveLength(2); // one line, as a CLI says it
      expect(fs.existsSync(out)).toBe(false);
    }
    const missing = await run('render', '--roster', path.join(dir, 'nope.csv'), '--out', out);
    expect(missing.status).toBe(1);
    expect(missing.err).toBe(
      `skblab class render: cannot read ${path.join(dir, 'nope.csv')}: no such file\n`,
    );
  });

  it('refuses a bad command line with exit status 2 and the usage', async () => {
    const csv = file('students.csv', 'id\nalice\n');
    for (const args of [
      ['render', '--roster', csv],
      ['render', '--out', dir],
      ['render', '--roster'],
      ['render', '--roster', csv, '--out', dir, '--force'],
      ['render', '--roster', csv, '--out', dir, 'extra'],
      ['frob'],
      [],
    ]) {
      const r = await run(...args);
      expect(r.status).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/skblab class|Usage: skblab class render/);
    }
    expect(await run('render', '--help')).toEqual({
      status: 0,
      out: expect.stringContaining('Usage: skblab class render --roster FILE --out DIR'),
      err: '',
    });
  });

  it('refuses to write into a directory that is not empty (a new render makes new credentials)', async () => {
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'kustomization.yaml'), '');
    const r = await run('render', '--roster', file('students.csv', 'id\nalice\n'), '--out', out);
    expect(r.status).toBe(1);
    expect(r.err).toBe(
      `skblab class render: ${out} is not an empty directory: render into a new one (rendering again makes new credentials)\n`,
    );
    expect(() => renderClass([], path.join(out, 'kustomization.yaml'), findK8sDir()!)).toThrow(RosterError);
  });

  it('is a command of the CLI, in its --help, with the exit statuses of the others', async () => {
    const writes: string[] = [];
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (writes.push(String(s)), true));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (writes.push(String(s)), true));
    try {
      expect(await main(['--help'])).toBe(0);
      expect(writes.join('')).toContain('skblab class render --roster FILE --out DIR');
      expect(writes.join('')).toMatch(/\n {2}class render {2}write a class's Kubernetes manifests/);
      writes.length = 0;
      expect(await main(['class', 'render', '--roster', file('r.csv', 'id\nA\n'), '--out', dir])).toBe(1);
      expect(writes.join('')).toMatch(/^skblab class render: invalid student id "A" \(line 2\)/);
      expect(await main(['class', 'render'])).toBe(2);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
