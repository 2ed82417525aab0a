/**
 * A class roster: a CSV file (RFC 4180: fields separated by commas, double quotes around a field that holds
 * a comma, a quote or a line break, "" for a quote inside one; LF or CRLF) whose first line names the
 * columns, then one student per line:
 *
 *   id,name
 *   alice,Alice Liddell
 *   bob,"Bob, the builder"
 *
 * `id` (required) is the student's lab id and names their namespace, skblab-<id>; `name` (optional) is only
 * written on the namespace, for the instructor. Blank lines are skipped; any other column is an error, so
 * that a misspelt header is not silently ignored.
 */
import { LAB_ID_MAX, isLabId } from '@skblab/contracts';

/** A student's namespace is this, then the id. */
export const NAMESPACE_PREFIX = 'skblab-';

/** A namespace name is a DNS label: 63 characters at most, ending with a letter or digit. */
export const STUDENT_ID_MAX = Math.min(LAB_ID_MAX, 63 - NAMESPACE_PREFIX.length);

export const STUDENT_ID_RULE =
  `1-${STUDENT_ID_MAX} lower-case letters, digits or '-', starting and ending with a letter or digit ` +
  `(it is the student's lab id and names the namespace ${NAMESPACE_PREFIX}<id>)`;

export const COLUMNS = ['id', 'name'] as const;

export interface Student {
  id: string;
  name: string;
  /** The line of the roster it is on. */
  line: number;
}

export class RosterError extends Error {
  override name = 'RosterError';
}

/** A valid lab id that also makes a namespace name. */
export function isStudentId(id: string): boolean {
  return isLabId(id) && id.length <= STUDENT_ID_MAX && /[a-z0-9]$/.test(id);
}

/** The records of a CSV text, each with the line it starts on. */
export function parseCsv(text: string): { fields: string[]; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark, as spreadsheets write
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === '') {
      field = '';
      quoted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ fields, line: start });
      fields = [];
      field = '';
      start = ++line;
    } else field += ch;
  }
  if (quoted) throw new RosterError(`line ${start}: a quoted field is not closed`);
  if (field !== '' || fields.length) {
    fields.push(field);
    records.push({ fields, line: start });
  }
  return records.map((r) => ({ fields: r.fields.map((f) => f.trim()), line: r.line }));
}

/** The students of a roster, in order; throws RosterError naming the line of the first problem. */
export function parseRoster(text: string, file: string): Student[] {
  const records = parseCsv(text).filter((r) => r.fields.some((f) => f !== ''));
  const how = `the header line "${COLUMNS.join(',')}", then one line per student`;
  if (!records.length) throw new RosterError(`${file}: no students (${how})`);
  const [header, ...rows] = records;
  const names = header.fields.map((f) => f.toLowerCase());
  for (const n of names) {
    if (!(COLUMNS as readonly string[]).includes(n)) {
      throw new RosterError(
        `unknown column ${JSON.stringify(n)} (line ${header.line}): the columns are ${COLUMNS.join(' and ')} (${how})`,
      );
    }
    if (names.indexOf(n) !== names.lastIndexOf(n)) {
      throw new RosterError(`column ${JSON.stringify(n)} twice (line ${header.line})`);
    }
  }
  if (!names.includes('id')) throw new RosterError(`${file}: the header has no id column (${how})`);
  if (!rows.length) throw new RosterError(`${file}: no students (${how})`);
  const students: Student[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    if (r.fields.length !== names.length) {
      throw new RosterError(
        `line ${r.line}: ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, but the header names ${names.length}`,
      );
    }
    const get = (col: string) => r.fields[names.indexOf(col)] ?? '';
    const id = get('id');
    if (!isStudentId(id)) {
      throw new RosterError(`invalid student id ${JSON.stringify(id)} (line ${r.line}): ${STUDENT_ID_RULE}`);
    }
    const first = seen.get(id);
    if (first !== undefined) {
      throw new RosterError(
        `duplicate student id ${JSON.stringify(id)} (line ${r.line}; first on line ${first})`,
      );
    }
    seen.set(id, r.line);
    students.push({ id, name: names.includes('name') ? get('name') : '', line: r.line });
  }
  return students;
}
