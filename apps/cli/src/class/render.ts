/**
 * `skblab class render --roster students.csv --out DIR`: a class on Kubernetes, one lab per student, as
 * kustomizations (docs/classes.md):
 *
 *   DIR/kustomization.yaml                 every student: `kubectl apply -k DIR`
 *   DIR/k8s/base, DIR/k8s/overlays/class   a copy of the repository's k8s/ (the lab, and what fences it)
 *   DIR/students/<id>/kustomization.yaml   the class overlay in namespace skblab-<id>, lab id <id>
 *   DIR/students/<id>/namespace.yaml       the namespace (restricted pod security), with the student's name
 *   DIR/students/<id>/credentials.yaml     a Secret of random tokens (mode 0600)
 *
 * Kustomizations rather than rendered YAML: the lab is defined once (k8s/base), each student's folder says
 * only what differs, and an instructor who edits the copy in DIR (an image registry, a quota) changes every
 * student at the next apply. The copy makes DIR whole: it can be moved, kept in git and applied from
 * anywhere with a kubectl (kustomize is built in), without this repository.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { NAMESPACE_PREFIX, RosterError, parseRoster, type Student } from './roster';

/** What a student runs to reach the shell of their lab. */
export function shellCommand(id: string): string {
  return `kubectl exec -it -n ${NAMESPACE_PREFIX}${id} deploy/shell -- skblab exec --lab ${id} host1`;
}

/** A token: 32 random bytes, base64url (no character a YAML, a URL or a shell would take for syntax). */
const token = () => randomBytes(32).toString('base64url');

const KUSTOMIZATION = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };

function yamlFile(comment: string, ...docs: object[]): string {
  const head = comment
    .split('\n')
    .map((l) => (l ? `# ${l}` : '#'))
    .join('\n');
  return `${head}\n${docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')}`;
}

/** The student's own objects: the namespace and the credentials. */
export function studentFiles(s: Student, newToken: () => string = token): Record<string, string> {
  const ns = `${NAMESPACE_PREFIX}${s.id}`;
  return {
    'kustomization.yaml': yamlFile(
      `Student ${s.id}: the class overlay in namespace ${ns}, lab id ${s.id}.\nWritten by skblab class render.`,
      {
        ...KUSTOMIZATION,
        namespace: ns,
        resources: ['namespace.yaml', 'credentials.yaml', '../../k8s/overlays/class'],
        configMapGenerator: [{ name: 'skblab-env', behavior: 'merge', literals: [`SKBLAB_LAB_ID=${s.id}`] }],
      },
    ),
    'namespace.yaml': yamlFile(
      'Every pod of the lab meets the restricted Pod Security Standard; the API server refuses one that does not.',
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: ns,
          labels: {
            'app.kubernetes.io/part-of': 'skblab',
            'skblab/student': s.id,
            'pod-security.kubernetes.io/enforce': 'restricted',
          },
          ...(s.name ? { annotations: { 'skblab/student-name': s.name } } : {}),
        },
      },
    ),
    'credentials.yaml': yamlFile(
      "The credentials of this student's lab, random at each render. Nothing enforces them yet: Kafka\n" +
        "users and ACLs, Redis ACL users and the bearer token on the services' HTTP mutations come in a\n" +
        'later slice (docs/classes.md).',
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'lab-credentials' },
        type: 'Opaque',
        stringData: {
          'lab-id': s.id,
          'http-token': newToken(),
          'kafka-username': `lab-${s.id}`,
          'kafka-password': newToken(),
          'redis-username': `lab-${s.id}`,
          'redis-password': newToken(),
        },
      },
    ),
  };
}

function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) copyTree(path.join(from, e.name), path.join(to, e.name));
    else if (e.isFile()) fs.copyFileSync(path.join(from, e.name), path.join(to, e.name));
  }
}

/** The repository's k8s/ (above this file, or above dist/skblab.js), or null. */
export function findK8sDir(from = __dirname): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const k8s = path.join(dir, 'k8s');
    if (fs.existsSync(path.join(k8s, 'overlays', 'class', 'kustomization.yaml'))) return k8s;
    if (path.dirname(dir) === dir) return null;
  }
}

/** Writes the class into `out` (which must not exist, or be empty). */
export function renderClass(
  students: Student[],
  out: string,
  k8sDir: string,
  newToken: () => string = token,
): void {
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length)) {
    throw new RosterError(
      `${out} is not an empty directory: render into a new one (rendering again makes new credentials)`,
    );
  }
  copyTree(path.join(k8sDir, 'base'), path.join(out, 'k8s', 'base'));
  copyTree(path.join(k8sDir, 'overlays', 'class'), path.join(out, 'k8s', 'overlays', 'class'));
  for (const s of students) {
    const dir = path.join(out, 'students', s.id);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(studentFiles(s, newToken))) {
      fs.writeFileSync(path.join(dir, name), text, { mode: name === 'credentials.yaml' ? 0o600 : 0o644 });
    }
  }
  fs.writeFileSync(
    path.join(out, 'kustomization.yaml'),
    yamlFile(
      `A class of ${students.length} student${students.length === 1 ? '' : 's'}, one lab each: kubectl apply -k ${path.basename(out)}\nWritten by skblab class render.`,
      { ...KUSTOMIZATION, resources: students.map((s) => `students/${s.id}`) },
    ),
  );
}

export const CLASS_USAGE = `Usage: skblab class render --roster FILE --out DIR

  render     write a class's Kubernetes manifests into DIR (new, or empty):
             for each student of the roster, a namespace skblab-<id> with its
             own lab (lab id <id>), quota, limits, network policies, random
             credentials, a shell pod and a role that lets the student exec
             into it (docs/classes.md).
  --roster FILE  a CSV file: the header line "id,name", then one student per
             line. An id is the student's lab id: 1-56 lower-case letters,
             digits or '-', starting and ending with a letter or digit.
  --out DIR  where to write them; then 'kubectl apply -k DIR'.

Exit status: 0 written, 1 a bad roster or DIR not empty, 2 a bad command line.
`;

/** `skblab class ...`; resolves the exit status. */
export async function classMain(
  args: string[],
  io: { out: (s: string) => void; err: (s: string) => void } = {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
  },
): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(CLASS_USAGE);
    return 0;
  }
  if (cmd !== 'render') {
    io.err(cmd ? `skblab class: unknown command '${cmd}'\n\n${CLASS_USAGE}` : CLASS_USAGE);
    return 2;
  }
  const me = 'skblab class render';
  let roster: string | null = null;
  let out: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--roster' || a === '--out') {
      const v = rest[++i];
      if (!v) {
        io.err(`${me}: option ${a} needs ${a === '--roster' ? 'a CSV file' : 'a directory'}\n`);
        return 2;
      }
      if (a === '--roster') roster = v;
      else out = v;
    } else if (a === '-h' || a === '--help') {
      io.out(CLASS_USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      io.err(`${me}: unknown option '${a}'\n\n${CLASS_USAGE}`);
      return 2;
    } else {
      io.err(`${me}: unexpected argument '${a}'\n`);
      return 2;
    }
  }
  if (!roster || !out) {
    io.err(`${me}: ${!roster ? '--roster FILE' : '--out DIR'} is needed\n\n${CLASS_USAGE}`);
    return 2;
  }
  const k8s = findK8sDir();
  if (!k8s) {
    io.err(`${me}: cannot find k8s/overlays/class: run skblab from a checkout of its repository\n`);
    return 1;
  }
  let text: string;
  try {
    text = fs.readFileSync(roster, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'a directory' }[code ?? ''];
    io.err(`${me}: cannot read ${roster}: ${why ?? (e as Error).message}\n`);
    return 1;
  }
  try {
    const students = parseRoster(text, roster);
    renderClass(students, out, k8s);
    io.out(
      `${me}: ${students.length} student${students.length === 1 ? '' : 's'} written to ${out}; ` +
        `'kubectl apply -k ${out}' creates the class. Each student's shell:\n` +
        students.map((s) => `  ${s.id}: ${shellCommand(s.id)}\n`).join(''),
    );
    return 0;
  } catch (e) {
    if (!(e instanceof RosterError) && !(e as NodeJS.ErrnoException).code) throw e;
    io.err(`${me}: ${(e as Error).message}\n`);
    return 1;
  }
}
