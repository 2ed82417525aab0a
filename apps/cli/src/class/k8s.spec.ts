/**
 * k8s/ and `skblab class render`, offline: the overlays render with `kubectl kustomize`, every object
 * validates against the Kubernetes schemas (kubernetes-models 4.5.1: Kubernetes 1.33.0), and the semantic
 * check (check.ts) finds nothing, against what the apps really read and serve (libs/service). Then each of
 * the semantic checks is shown to catch a manifest broken the way it looks for.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { parse, parseAllDocuments } from 'yaml';
import { LAYERS } from '@skblab/contracts';
import { LayerModule, SERVICE_ENV_VARS, loadServiceConfig } from '@skblab/service';
import {
  checkManifests,
  formatProblems,
  quantity,
  type AppContract,
  type CheckName,
  type K8sObject,
} from './check';
import { classMain } from './render';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

/** kubectl is needed (CI has it): its absence fails the suite with this message rather than skipping it. */
function kubectl(args: string[]): string {
  const bin = process.env.KUBECTL || 'kubectl';
  try {
    return execFileSync(bin, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new Error(
        `kubectl not found (${bin}): the k8s/ checks render the manifests with 'kubectl kustomize' ` +
          '(tested with kubectl 1.32, kustomize v5.5.0). Install kubectl, or set KUBECTL to its path.',
      );
    }
    throw new Error(`${bin} ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

function render(dir: string): K8sObject[] {
  return parseAllDocuments(kubectl(['kustomize', dir])).map((d) => {
    if (d.errors.length) throw d.errors[0];
    return d.toJS() as K8sObject;
  });
}

/** The object's model in kubernetes-models (its folders are the API groups), validated: null or the errors. */
function schemaErrors(o: K8sObject): string | null {
  const [group, version] = o.apiVersion!.includes('/') ? o.apiVersion!.split('/') : [null, o.apiVersion!];
  const models = require(`kubernetes-models/${group ? `${group}/` : ''}${version}`) as Record<
    string,
    (new (data: unknown) => { validate(): void }) | undefined
  >;
  const Model = models[o.kind!];
  if (!Model) return `${o.apiVersion} ${o.kind}: no such kind in the schemas`;
  try {
    new Model(o).validate();
    return null;
  } catch (e) {
    return `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}: ${(e as Error).message}`;
  }
}
const allSchemaErrors = (objects: K8sObject[]) => objects.map(schemaErrors).filter((e) => e !== null);

/** The GET paths of the controllers every service's LayerModule mounts, read from Nest's own metadata. */
function servedGetPaths(): string[] {
  const config = loadServiceConfig('ip', { KAFKA_BROKERS: 'kafka:9092', REDIS_URL: 'redis://redis:6379' });
  const paths: string[] = [];
  for (const ctrl of (LayerModule.forRoot({ layer: 'ip', config }).controllers ?? []) as Type<unknown>[]) {
    const base = String(Reflect.getMetadata(PATH_METADATA, ctrl) ?? '');
    for (const key of Object.getOwnPropertyNames(ctrl.prototype)) {
      const handler = (ctrl.prototype as Record<string, unknown>)[key];
      if (
        typeof handler !== 'function' ||
        Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET
      )
        continue;
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      paths.push(
        '/' +
          [base, sub]
            .map((s) => s.replace(/^\/+|\/+$/g, ''))
            .filter(Boolean)
            .join('/'),
      );
    }
  }
  return paths;
}

const APPS: AppContract = {
  layers: LAYERS,
  envVars: SERVICE_ENV_VARS,
  getPaths: servedGetPaths(),
  loadConfig: (layer, env) => loadServiceConfig(layer, env),
};

const kinds = (objects: K8sObject[]) =>
  objects.reduce<Record<string, number>>((a, o) => ({ ...a, [o.kind!]: (a[o.kind!] ?? 0) + 1 }), {});
const named = (objects: K8sObject[], kind: string, name: string, ns?: string) =>
  objects.find(
    (o) => o.kind === kind && o.metadata?.name === name && (ns === undefined || o.metadata?.namespace === ns),
  )!;
const podSpec = (o: K8sObject) => o.spec!.template!.spec!;
const container = (objects: K8sObject[], kind: string, name: string) =>
  podSpec(named(objects, kind, name)).containers![0];
const configMap = (objects: K8sObject[], ns?: string) =>
  objects.find(
    (o) =>
      o.kind === 'ConfigMap' &&
      o.metadata?.name?.startsWith('skblab-env-') &&
      (ns === undefined || o.metadata?.namespace === ns),
  )!;

describe('what the checks are checked against', () => {
  it('reads the apps from their code: every layer, every variable of the configuration, the GET routes', () => {
    expect(APPS.getPaths).toEqual(expect.arrayContaining(['/healthz', '/metrics', '/state']));
    expect(APPS.envVars).toEqual(
      expect.arrayContaining(['KAFKA_BROKERS', 'REDIS_URL', 'SKBLAB_LAB_ID', 'HOST', 'PORT']),
    );
    expect(APPS.layers).toContain('control');
  });

  it('reads quantities as Kubernetes does', () => {
    expect([
      quantity('50m'),
      quantity('1'),
      quantity('0.5'),
      quantity('192Mi'),
      quantity('1G'),
      quantity('2e3'),
    ]).toEqual([0.05, 1, 0.5, 192 * 2 ** 20, 1e9, 2000]);
    expect(quantity('1 Gi')).toBeNaN();
  });
});

describe('k8s/overlays/lab: one lab, the docker-compose.yml equivalent', () => {
  let lab: K8sObject[];
  beforeAll(() => {
    lab = render(path.join(ROOT, 'k8s/overlays/lab'));
  });

  it('renders Kafka and Redis as StatefulSets with storage, and a Deployment and a Service per service', () => {
    expect(kinds(lab)).toEqual({ Namespace: 1, ConfigMap: 1, Service: 11, Deployment: 10, StatefulSet: 2 });
    const deployments = lab.filter((o) => o.kind === 'Deployment').map((o) => o.metadata!.name);
    expect(deployments.sort()).toEqual([...LAYERS, 'shell'].sort());
    for (const name of ['kafka', 'redis']) {
      expect(named(lab, 'StatefulSet', name).spec!.volumeClaimTemplates).toHaveLength(1);
    }
    expect(lab.every((o) => o.kind === 'Namespace' || o.metadata?.namespace === 'skblab')).toBe(true);
  });

  it('pins its images: Kafka 4.1.1, Redis 7, and the project at its version', () => {
    expect(container(lab, 'StatefulSet', 'kafka').image).toBe('apache/kafka:4.1.1');
    expect(container(lab, 'StatefulSet', 'redis').image).toMatch(/^redis:7\.\d+\.\d+$/);
    for (const d of lab.filter((o) => o.kind === 'Deployment')) {
      for (const c of [...(podSpec(d).initContainers ?? []), ...podSpec(d).containers!]) {
        expect(c.image).toBe(`skblab:${VERSION}`);
      }
    }
  });

  it('runs what docker-compose.yml runs: the same commands, environment and ports (the lab id aside)', () => {
    const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as {
      services: Record<string, { command?: string[]; environment?: Record<string, string | number> }>;
    };
    const data = configMap(lab).data!;
    expect(data.SKBLAB_LAB_ID).toBe('k8s');
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.command?.[0] !== 'node') continue; // kafka and redis: below
      const c = container(lab, 'Deployment', name);
      expect(c.command).toEqual(svc.command);
      const env = { ...data, ...Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value])) };
      for (const [k, v] of Object.entries(svc.environment!))
        if (k !== 'SKBLAB_LAB_ID') expect([name, k, env[k]]).toEqual([name, k, String(v)]);
      expect(c.ports!.map((p) => p.containerPort)).toEqual([Number(svc.environment!.PORT)]);
    }
    // Kafka: compose's settings, but for its host listener and a voter the pod reaches before DNS has it.
    const kafka = Object.fromEntries(
      container(lab, 'StatefulSet', 'kafka').env!.map((e) => [e.name, e.value]),
    );
    const differ = [
      'KAFKA_CONTROLLER_QUORUM_VOTERS',
      'KAFKA_LISTENERS',
      'KAFKA_ADVERTISED_LISTENERS',
      'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP',
    ];
    for (const [k, v] of Object.entries(compose.services.kafka.environment!)) {
      if (!differ.includes(k)) expect([k, kafka[k]]).toEqual([k, String(v)]);
    }
    expect(kafka.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092');
    expect(container(lab, 'StatefulSet', 'redis').args).toEqual(
      expect.arrayContaining(['--appendonly', 'yes']),
    );
  });

  it('validates against the Kubernetes schemas', () => {
    expect(allSchemaErrors(lab)).toEqual([]);
  });

  it('passes the semantic check', () => {
    expect(formatProblems(checkManifests(lab, APPS))).toBe('');
  });

  it('the schema check catches an invalid object', () => {
    const broken = structuredClone(named(lab, 'Deployment', 'ip'));
    (podSpec(broken).containers![0].ports![0] as { containerPort: unknown }).containerPort = 'http';
    expect(schemaErrors(broken)).toMatch(/containerPort must be integer/);
    expect(schemaErrors({ ...broken, kind: 'Deploymnet' })).toMatch(/no such kind/);
  });
});

describe('k8s/overlays/class: the lab, fenced', () => {
  it('renders, validates and passes the semantic check, isolation included', () => {
    const cls = render(path.join(ROOT, 'k8s/overlays/class'));
    expect(kinds(cls)).toMatchObject({
      ResourceQuota: 1,
      LimitRange: 1,
      Role: 1,
      NetworkPolicy: 5,
      Deployment: 10,
      StatefulSet: 2,
    });
    expect(allSchemaErrors(cls)).toEqual([]);
    expect(formatProblems(checkManifests(cls, APPS, { isolated: true }))).toBe('');
  });
});

describe('skblab class render', () => {
  const ids = ['alice', 'bob', 'c-3'];
  let dir: string;
  let out: string;
  let printed: string;
  let cls: K8sObject[];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-render-'));
    out = path.join(dir, 'class');
    fs.writeFileSync(
      path.join(dir, 'students.csv'),
      'id,name\nalice,Alice Liddell\nbob,"Bob, the builder"\nc-3,\n',
    );
    printed = '';
    const status = await classMain(['render', '--roster', path.join(dir, 'students.csv'), '--out', out], {
      out: (s) => void (printed += s),
      err: (s) => void (printed += s),
    });
    expect([status, printed]).toEqual([0, expect.stringContaining('3 students written')]);
    cls = render(out);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives every student a namespace with the lab, quota, limits, network policies, credentials, shell and role', () => {
    expect(kinds(cls)).toEqual({
      Namespace: 3,
      ConfigMap: 3,
      Secret: 3,
      ResourceQuota: 3,
      LimitRange: 3,
      NetworkPolicy: 15,
      Role: 3,
      Service: 33,
      Deployment: 30,
      StatefulSet: 6,
    });
    for (const id of ids) {
      const ns = `skblab-${id}`;
      expect(named(cls, 'Namespace', ns).metadata!.labels).toMatchObject({
        'skblab/student': id,
        'pod-security.kubernetes.io/enforce': 'restricted',
      });
      expect(configMap(cls, ns).data!.SKBLAB_LAB_ID).toBe(id);
      for (const [kind, name] of [
        ['ResourceQuota', 'lab'],
        ['LimitRange', 'lab'],
        ['NetworkPolicy', 'default-deny'],
        ['Secret', 'lab-credentials'],
        ['Role', 'student'],
        ['Deployment', 'shell'],
        ['Deployment', 'control'],
        ['StatefulSet', 'kafka'],
      ]) {
        expect([kind, name, named(cls, kind, name, ns)?.kind]).toEqual([kind, name, kind]);
      }
      expect(printed).toContain(
        `${id}: kubectl exec -it -n ${ns} deploy/shell -- skblab exec --lab ${id} host1`,
      );
      expect(fs.statSync(path.join(out, 'students', id, 'credentials.yaml')).mode & 0o777).toBe(0o600);
      // One student's folder applies on its own too.
      expect(kinds(render(path.join(out, 'students', id)))).toMatchObject({ Namespace: 1, Deployment: 10 });
    }
    expect(named(cls, 'Namespace', 'skblab-bob').metadata).toMatchObject({
      annotations: { 'skblab/student-name': 'Bob, the builder' },
    });
    expect(
      cls.filter((o) => o.kind !== 'Namespace' && !o.metadata?.namespace?.startsWith('skblab-')),
    ).toEqual([]);
  });

  it('makes random credentials, different for every student', () => {
    const secrets = cls.filter((o) => o.kind === 'Secret').map((o) => o.stringData!);
    const tokens = secrets.flatMap((s) => [s['http-token'], s['kafka-password'], s['redis-password']]);
    expect(tokens).toHaveLength(9);
    expect(new Set(tokens).size).toBe(9);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secrets.map((s) => [s['lab-id'], s['kafka-username'], s['redis-username']])).toEqual(
      ids.map((id) => [id, `lab-${id}`, `lab-${id}`]),
    );
  });

  it('validates against the Kubernetes schemas', () => {
    expect(allSchemaErrors(cls)).toEqual([]);
  });

  it('passes the semantic check, isolation included', () => {
    expect(formatProblems(checkManifests(cls, APPS, { isolated: true }))).toBe('');
  });
});

describe('each semantic check catches a manifest broken the way it looks for', () => {
  let lab: K8sObject[];
  let cls: K8sObject[];
  beforeAll(() => {
    lab = render(path.join(ROOT, 'k8s/overlays/lab'));
    cls = render(path.join(ROOT, 'k8s/overlays/class'));
  });

  /** What is broken, the checks that may say so (the first must), what it says, how to break it. */
  type Case = [string, CheckName | CheckName[], RegExp, (objects: K8sObject[]) => void];
  const app = (o: K8sObject[], name = 'ip') => container(o, 'Deployment', name);
  const env = (o: K8sObject[]) => configMap(o).data!;
  const cases: Case[] = [
    [
      'a Service selector that matches no pod',
      'selectors',
      /Service skblab\/ip: selector .* matches no pod/,
      (o) => {
        named(o, 'Service', 'ip').spec!.selector = { 'app.kubernetes.io/name': 'ipp' };
      },
    ],
    [
      'a Service without a selector',
      'selectors',
      /Service skblab\/rx: has no selector/,
      (o) => {
        delete named(o, 'Service', 'rx').spec!.selector;
      },
    ],
    [
      'a targetPort no container has (by name)',
      'ports',
      /Service skblab\/ip: port http: targetPort "htp"/,
      (o) => {
        named(o, 'Service', 'ip').spec!.ports![0].targetPort = 'htp';
      },
    ],
    [
      'a targetPort no container has (by number)',
      'ports',
      /Service skblab\/redis: port redis: targetPort 6380/,
      (o) => {
        named(o, 'Service', 'redis').spec!.ports![0].targetPort = 6380;
      },
    ],
    [
      'a variable the apps read, not set',
      'env',
      /Deployment skblab\/nic container service: SKBLAB_HEALTH_TIMEOUT_MS is not set/,
      (o) => {
        delete env(o).SKBLAB_HEALTH_TIMEOUT_MS;
      },
    ],
    [
      'a lab id the services refuse',
      'env',
      /configuration is refused: .*SKBLAB_LAB_ID must be 1-63 lower-case/,
      (o) => {
        env(o).SKBLAB_LAB_ID = 'a:b';
      },
    ],
    [
      'SKBLAB_LAYER naming another app',
      'env',
      /container service: SKBLAB_LAYER is "dev" but it runs the ip app/,
      (o) => {
        app(o).env!.find((e) => e.name === 'SKBLAB_LAYER')!.value = 'dev';
      },
    ],
    [
      'a command running no app',
      'env',
      /runs dist\/apps\/tcp, which is no app/,
      (o) => {
        app(o).command = ['node', 'dist/apps/tcp/main.js'];
      },
    ],
    [
      'HOST left on the loopback',
      'env',
      /HOST=127.0.0.1: it would not listen on the pod's address/,
      (o) => {
        env(o).HOST = '127.0.0.1';
      },
    ],
    [
      'a ConfigMap that is not there',
      'env',
      /envFrom names ConfigMap nothing, which is not in the manifests/,
      (o) => {
        app(o).envFrom![0].configMapRef!.name = 'nothing';
      },
    ],
    // The probes, on the container's port, then miss the app's too.
    [
      'PORT that is no container port',
      ['env', 'probes'],
      /PORT=3001 is not one of its container ports/,
      (o) => {
        env(o).PORT = '3001';
      },
    ],
    [
      'a probe on a path the app does not serve',
      'probes',
      /readinessProbe asks "\/health", which the app does not serve/,
      (o) => {
        app(o).readinessProbe!.httpGet!.path = '/health';
      },
    ],
    [
      'a probe on a port the container does not have',
      'probes',
      /livenessProbe asks port 8080/,
      (o) => {
        app(o).livenessProbe!.httpGet!.port = 8080;
      },
    ],
    [
      'no liveness probe',
      'probes',
      /Deployment skblab\/control container service: has no livenessProbe/,
      (o) => {
        delete app(o, 'control').livenessProbe;
      },
    ],
    [
      'a probe that gives up before the health check does',
      'probes',
      /readinessProbe gives up after 3 s/,
      (o) => {
        app(o).readinessProbe!.timeoutSeconds = 3;
      },
    ],
    [
      "Kafka's probe on another port",
      'probes',
      /StatefulSet skblab\/kafka container kafka: livenessProbe asks port 9094/,
      (o) => {
        container(o, 'StatefulSet', 'kafka').livenessProbe!.tcpSocket!.port = 9094;
      },
    ],
    [
      'no memory limit',
      'resources',
      /StatefulSet skblab\/redis container redis: no memory limits/,
      (o) => {
        delete container(o, 'StatefulSet', 'redis').resources!.limits!.memory;
      },
    ],
    [
      'an init container without requests',
      'resources',
      /container wait-for-kafka: no cpu requests/,
      (o) => {
        delete podSpec(named(o, 'Deployment', 'ip')).initContainers![0].resources!.requests;
      },
    ],
    [
      'a request above its limit',
      'resources',
      /container shell: its memory request \(1Gi\) is above its limit/,
      (o) => {
        container(o, 'Deployment', 'shell').resources!.requests!.memory = '1Gi';
      },
    ],
    [
      'root',
      'security',
      /Deployment skblab\/ip container service: runs as user 0/,
      (o) => {
        podSpec(named(o, 'Deployment', 'ip')).securityContext!.runAsUser = 0;
      },
    ],
    [
      'runAsNonRoot off',
      'security',
      /StatefulSet skblab\/kafka container kafka: runAsNonRoot is not true/,
      (o) => {
        podSpec(named(o, 'StatefulSet', 'kafka')).securityContext!.runAsNonRoot = false;
      },
    ],
    [
      'a writable root file system',
      'security',
      /container redis: its root file system is not read-only/,
      (o) => {
        container(o, 'StatefulSet', 'redis').securityContext!.readOnlyRootFilesystem = false;
      },
    ],
    [
      'privilege escalation',
      'security',
      /container shell: allowPrivilegeEscalation is not false/,
      (o) => {
        delete container(o, 'Deployment', 'shell').securityContext!.allowPrivilegeEscalation;
      },
    ],
    [
      'an unpinned image',
      'images',
      /image "skblab:latest" is not pinned/,
      (o) => {
        app(o).image = 'skblab:latest';
      },
    ],
    [
      'an image without a tag',
      'images',
      /image "redis" is not pinned/,
      (o) => {
        container(o, 'StatefulSet', 'redis').image = 'redis';
      },
    ],
    [
      'a broker port no Service has',
      'brokers',
      /Kafka broker kafka:9093: no Service kafka with port 9093/,
      (o) => {
        env(o).KAFKA_BROKERS = 'kafka:9093';
      },
    ],
    [
      'a Redis no Service is',
      'brokers',
      /Redis redis-0:6379: no Service redis-0 with port 6379/,
      (o) => {
        env(o).REDIS_URL = 'redis://redis-0:6379';
      },
    ],
  ];
  const classCases: Case[] = [
    [
      'no default-deny policy',
      'isolation',
      /namespace \(none\): no default-deny NetworkPolicy/,
      (o) => {
        o.splice(o.indexOf(named(o, 'NetworkPolicy', 'default-deny')), 1);
      },
    ],
    [
      'no policy letting the services out to the brokers',
      'brokers',
      /Deployment ip container service: Kafka broker kafka:9092: the network policies do not let it out to StatefulSet kafka port 9092/,
      (o) => {
        o.splice(o.indexOf(named(o, 'NetworkPolicy', 'lab-to-brokers')), 1);
      },
    ],
    [
      'no policy letting the shell into Redis',
      'brokers',
      /Deployment shell container shell: Redis redis:6379: the network policies do not let it into StatefulSet redis port 6379/,
      (o) => {
        named(
          o,
          'NetworkPolicy',
          'redis-from-lab',
        ).spec!.ingress![0].from![0].podSelector!.matchExpressions![0].values = ['layer-service'];
      },
    ],
    [
      'a policy on the wrong port',
      'brokers',
      /do not let it into StatefulSet kafka port 9092/,
      (o) => {
        named(o, 'NetworkPolicy', 'kafka-from-lab').spec!.ingress![0].ports![0].port = 9093;
      },
    ],
    [
      'no DNS',
      'brokers',
      /the network policies do not let it ask the cluster DNS \(UDP 53\) for kafka/,
      (o) => {
        o.splice(o.indexOf(named(o, 'NetworkPolicy', 'dns')), 1);
      },
    ],
    [
      'a quota the lab does not fit',
      'quota',
      /ResourceQuota lab: requests.memory: the lab needs .* the quota allows 2Gi/,
      (o) => {
        named(o, 'ResourceQuota', 'lab').spec!.hard!['requests.memory'] = '2Gi';
      },
    ],
    [
      'a quota without room for a rolling update',
      'quota',
      /ResourceQuota lab: pods: the lab needs 13 .* the quota allows 12/,
      (o) => {
        named(o, 'ResourceQuota', 'lab').spec!.hard!.pods = '12';
      },
    ],
    [
      'a LimitRange below a container',
      'quota',
      /StatefulSet kafka container kafka: memory above the LimitRange's max \(512Mi\)/,
      (o) => {
        named(o, 'LimitRange', 'lab').spec!.limits![0].max!.memory = '512Mi';
      },
    ],
    [
      'a LimitRange below a volume claim',
      'quota',
      /StatefulSet kafka: a volume claim of 2Gi is above the LimitRange's max \(1Gi\)/,
      (o) => {
        named(o, 'LimitRange', 'lab').spec!.limits![1].max!.storage = '1Gi';
      },
    ],
  ];

  it.each(cases)('%s (%s)', (_what, check, message, breakIt) => {
    const broken = structuredClone(lab);
    breakIt(broken);
    const found = checkManifests(broken, APPS);
    const checks = [check].flat();
    expect(found.map((p) => p.check)).toContain(checks[0]);
    expect(found.filter((p) => !checks.includes(p.check))).toEqual([]);
    expect(formatProblems(found)).toMatch(message);
  });

  it.each(classCases)('%s (%s)', (_what, check, message, breakIt) => {
    const broken = structuredClone(cls);
    breakIt(broken);
    const found = checkManifests(broken, APPS, { isolated: true });
    const checks = [check].flat();
    expect(found.map((p) => p.check)).toContain(checks[0]);
    expect(found.filter((p) => !checks.includes(p.check))).toEqual([]);
    expect(formatProblems(found)).toMatch(message);
  });
});
