/**
 * The semantic check of skblab's Kubernetes manifests (k8s/, and what `skblab class render` writes), on the
 * objects `kubectl kustomize` renders: what a schema cannot see because it needs two objects, or the app.
 *
 *   selectors   every Service's selector matches the pods of some workload in its namespace
 *   ports       every Service port's targetPort is a port of a container of those pods
 *   env         every skblab app (`node dist/apps/<layer>/main.js`) gets every variable its configuration
 *               reads, with values that configuration accepts, listening where Services and probes reach
 *   probes      a container that listens has readiness and liveness probes, on its own ports; an app's HTTP
 *               probes ask a path the app serves, on its PORT, and wait longer than its own health checks
 *   resources   every container (init containers too) has cpu and memory requests and limits, requests ≤ limits
 *   security    every container runs as a non-root numeric user, with a read-only root file system, no
 *               privilege escalation, no capabilities and the runtime's seccomp profile
 *   images      every image is pinned: a tag other than `latest`, or a digest
 *   brokers     the Kafka and Redis an app's environment names are Services of its namespace with that port,
 *               backed by a pod, and the namespace's network policies let the app reach them and the DNS
 *   isolation   (class) every namespace with pods has a default-deny network policy
 *   quota       a namespace's pods, with one more of its largest Deployment's (a rolling update), fit its
 *               ResourceQuota, and each container and volume claim fits its LimitRange
 *
 * Pure: what the apps read and serve comes in as an AppContract (the spec derives it from libs/service).
 */

export type CheckName =
  | 'selectors'
  | 'ports'
  | 'env'
  | 'probes'
  | 'resources'
  | 'security'
  | 'images'
  | 'brokers'
  | 'isolation'
  | 'quota';

export interface Problem {
  check: CheckName;
  /** `Kind namespace/name` (and the container), where the problem is. */
  where: string;
  message: string;
}

/** What the skblab apps are, read and serve: derived from their code by the caller. */
export interface AppContract {
  /** The apps: `node dist/apps/<layer>/main.js`. */
  layers: readonly string[];
  /** Every environment variable an app's configuration reads. */
  envVars: readonly string[];
  /** The paths an app answers GET on ('/healthz', ...). */
  getPaths: readonly string[];
  /** The app's configuration from an environment; throws (saying why) when the environment is not valid. */
  loadConfig(
    layer: string,
    env: Record<string, string>,
  ): { port: number; host: string; healthTimeoutMs: number };
}

export interface CheckOptions {
  /** Every namespace with pods must have a default-deny network policy (a class's namespaces). */
  isolated?: boolean;
}

// The parts of the Kubernetes objects the checks read; anything may be missing.
type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Resources {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[] };
  seccompProfile?: { type?: string };
}
interface Probe {
  httpGet?: { path?: string; port?: number | string };
  tcpSocket?: { port?: number | string };
  grpc?: { port?: number };
  exec?: { command?: string[] };
  timeoutSeconds?: number;
}
interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: unknown;
    resourceFieldRef?: unknown;
  };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: {
    prefix?: string;
    configMapRef?: { name: string; optional?: boolean };
    secretRef?: { name: string; optional?: boolean };
  }[];
  ports?: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: Resources;
  securityContext?: SecurityContext;
}
interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
}
interface NetworkPolicyPeer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: unknown;
}
interface NetworkPolicyPort {
  port?: number | string;
  endPort?: number;
  protocol?: string;
}
interface NetworkPolicyRule {
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}
export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Labels };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: Labels | Selector;
    template?: { metadata?: { labels?: Labels }; spec?: PodSpec };
    volumeClaimTemplates?: { spec?: { resources?: Resources } }[];
    ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
    podSelector?: Selector;
    policyTypes?: string[];
    ingress?: NetworkPolicyRule[];
    egress?: NetworkPolicyRule[];
    hard?: Record<string, string | number>;
    limits?: { type: string; max?: Record<string, string | number>; min?: Record<string, string | number> }[];
  } & PodSpec;
}

/** A pod as the checks see it: a workload's template (or a bare Pod), with where it comes from. */
interface Pod {
  ns: string;
  labels: Labels;
  spec: PodSpec;
  owner: K8sObject;
  replicas: number;
}

const nsOf = (o: K8sObject) => o.metadata?.namespace ?? '';
const where = (o: K8sObject, container?: Container) =>
  `${o.kind} ${nsOf(o) ? `${nsOf(o)}/` : ''}${o.metadata?.name ?? '?'}` +
  (container ? ` container ${container.name}` : '');

/** Kubernetes' label selector semantics (an empty selector selects everything). */
export function selects(sel: Selector | undefined, labels: Labels): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity ('50m', '1', '192Mi', '1e3') in base units (cores, bytes); NaN if it is none. */
export function quantity(q: string | number | undefined): number {
  if (q === undefined) return NaN;
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/.exec(q.trim());
  if (!m) return NaN;
  const unit = m[2] ?? '';
  return Number(m[1]) * (BINARY[unit] ?? DECIMAL[unit]);
}

const containersOf = (spec: PodSpec) => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];

/** The app a container runs, from its command line (`node dist/apps/<layer>/main.js`), if any. */
export function appOf(c: Container): string | null {
  for (const a of [...(c.command ?? []), ...(c.args ?? [])]) {
    const m = /^(?:\/app\/)?dist\/apps\/([^/]+)\/main\.js$/.exec(a);
    if (m) return m[1];
  }
  return null;
}

export function checkManifests(
  objects: K8sObject[],
  app: AppContract,
  options: CheckOptions = {},
): Problem[] {
  const problems: Problem[] = [];
  const add = (check: CheckName, at: string, message: string) => problems.push({ check, where: at, message });
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const find = (kind: string, ns: string, name: string) =>
    objects.find((o) => o.kind === kind && nsOf(o) === ns && o.metadata?.name === name);

  const pods: Pod[] = [];
  for (const o of objects) {
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet') {
      pods.push({
        ns: nsOf(o),
        labels: o.spec?.template?.metadata?.labels ?? {},
        spec: o.spec?.template?.spec ?? {},
        owner: o,
        replicas: o.kind === 'DaemonSet' ? 1 : (o.spec?.replicas ?? 1),
      });
    } else if (o.kind === 'Pod') {
      pods.push({ ns: nsOf(o), labels: o.metadata?.labels ?? {}, spec: o.spec ?? {}, owner: o, replicas: 1 });
    }
  }
  const podsOf = (svc: K8sObject) => {
    const sel = svc.spec?.selector as Labels | undefined;
    return pods.filter((p) => p.ns === nsOf(svc) && selects({ matchLabels: sel }, p.labels));
  };
  /** The container port a Service's or a probe's port names (a number or a port's name). */
  const portIn = (containers: Container[], port: number | string | undefined, protocol = 'TCP') =>
    containers
      .flatMap((c) => c.ports ?? [])
      .find(
        (p) =>
          (p.protocol ?? 'TCP') === protocol &&
          (typeof port === 'number' ? p.containerPort === port : p.name === port),
      );

  // Each container's environment as the kubelet gives it (only what the manifests say; image ENV aside).
  const envs = new Map<Container, Record<string, string>>();
  for (const p of pods) {
    for (const c of containersOf(p.spec)) {
      const env: Record<string, string> = {};
      const at = where(p.owner, c);
      for (const from of c.envFrom ?? []) {
        const ref = from.configMapRef ?? from.secretRef;
        if (!ref) continue;
        const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
        const src = find(kind, p.ns, ref.name);
        if (!src) {
          if (!ref.optional)
            add('env', at, `envFrom names ${kind} ${ref.name}, which is not in the manifests`);
          continue;
        }
        for (const [k, v] of Object.entries({ ...src.data, ...src.stringData }))
          env[(from.prefix ?? '') + k] = v;
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef;
        if (ref) {
          const kind = e.valueFrom?.configMapKeyRef ? 'ConfigMap' : 'Secret';
          const src = find(kind, p.ns, ref.name);
          const v = src && { ...src.data, ...src.stringData }[ref.key];
          if (v === undefined) {
            if (!ref.optional)
              add('env', at, `${e.name} comes from ${kind} ${ref.name} key ${ref.key}, which is not there`);
          } else env[e.name] = v;
        } else if (e.valueFrom) env[e.name] = '(from the pod)';
        else env[e.name] = e.value ?? '';
      }
      envs.set(c, env);
    }
  }

  // selectors and ports
  for (const svc of ofKind('Service')) {
    const sel = svc.spec?.selector as Labels | undefined;
    if (!sel || !Object.keys(sel).length) {
      add('selectors', where(svc), 'has no selector: it sends to no pod of the lab');
      continue;
    }
    const backing = podsOf(svc);
    if (!backing.length) {
      add(
        'selectors',
        where(svc),
        `selector ${JSON.stringify(sel)} matches no pod template in its namespace`,
      );
      continue;
    }
    for (const port of svc.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const p of backing) {
        if (!portIn(p.spec.containers ?? [], target, port.protocol ?? 'TCP')) {
          add(
            'ports',
            where(svc),
            `port ${port.name ?? port.port}: targetPort ${JSON.stringify(target)} is no container port of ${where(p.owner)}`,
          );
        }
      }
    }
  }

  // env, probes, resources, security, images
  for (const p of pods) {
    for (const c of containersOf(p.spec)) {
      const at = where(p.owner, c);
      const isInit = (p.spec.initContainers ?? []).includes(c);
      const env = envs.get(c) ?? {};
      const layer = appOf(c);
      let config: ReturnType<AppContract['loadConfig']> | null = null;
      if (layer !== null) {
        if (!app.layers.includes(layer))
          add('env', at, `runs dist/apps/${layer}, which is no app (${app.layers.join(', ')})`);
        else {
          for (const v of app.envVars) if (!(v in env)) add('env', at, `${v} is not set`);
          if (env.SKBLAB_LAYER !== layer) {
            add(
              'env',
              at,
              `SKBLAB_LAYER is ${JSON.stringify(env.SKBLAB_LAYER)} but it runs the ${layer} app`,
            );
          }
          try {
            config = app.loadConfig(layer, env);
          } catch (e) {
            add('env', at, `its configuration is refused: ${(e as Error).message.replace(/\n\s*/g, ' ')}`);
          }
          if (config && !['0.0.0.0', '::'].includes(config.host)) {
            add(
              'env',
              at,
              `HOST=${config.host}: it would not listen on the pod's address, where Services and probes connect`,
            );
          }
          if (config && !(c.ports ?? []).some((cp) => cp.containerPort === config!.port)) {
            add('env', at, `PORT=${config.port} is not one of its container ports`);
          }
        }
      }

      const listens = (c.ports ?? []).length > 0 || layer !== null;
      if (listens && !isInit) {
        if (!c.readinessProbe) add('probes', at, 'has no readinessProbe');
        if (!c.livenessProbe) add('probes', at, 'has no livenessProbe');
      }
      for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        const probe = c[kind];
        if (!probe) continue;
        const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
        if (probe.exec) {
          if (layer !== null) add('probes', at, `${kind} is not an HTTP probe of the app's /healthz`);
          else if (!probe.exec.command?.length) add('probes', at, `${kind} runs no command`);
          continue;
        }
        const cp = portIn([c], port);
        if (!cp) {
          add(
            'probes',
            at,
            `${kind} asks port ${JSON.stringify(port)}, which is not one of its container ports`,
          );
          continue;
        }
        if (layer !== null && config) {
          if (cp.containerPort !== config.port) {
            add(
              'probes',
              at,
              `${kind} asks port ${cp.containerPort}, but the app listens on PORT=${config.port}`,
            );
          }
          const path = probe.httpGet?.path;
          if (!probe.httpGet) add('probes', at, `${kind} is not an HTTP probe of the app's /healthz`);
          else if (!path || !app.getPaths.includes(path)) {
            add(
              'probes',
              at,
              `${kind} asks ${JSON.stringify(path)}, which the app does not serve (${app.getPaths.join(', ')})`,
            );
          } else if ((probe.timeoutSeconds ?? 1) * 1000 <= config.healthTimeoutMs) {
            add(
              'probes',
              at,
              `${kind} gives up after ${probe.timeoutSeconds ?? 1} s, before the app's own checks may (SKBLAB_HEALTH_TIMEOUT_MS=${config.healthTimeoutMs})`,
            );
          }
        }
      }

      const r = c.resources ?? {};
      for (const kind of ['requests', 'limits'] as const) {
        for (const res of ['cpu', 'memory']) {
          if (Number.isNaN(quantity(r[kind]?.[res]))) add('resources', at, `no ${res} ${kind}`);
        }
      }
      for (const res of ['cpu', 'memory']) {
        if (quantity(r.requests?.[res]) > quantity(r.limits?.[res])) {
          add(
            'resources',
            at,
            `its ${res} request (${r.requests?.[res]}) is above its limit (${r.limits?.[res]})`,
          );
        }
      }

      const pod = p.spec.securityContext ?? {};
      const sc = c.securityContext ?? {};
      const user = sc.runAsUser ?? pod.runAsUser;
      if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) add('security', at, 'runAsNonRoot is not true');
      if (typeof user !== 'number' || user === 0)
        add('security', at, `runs as user ${user ?? "the image's"}, not a numeric non-root uid`);
      if (sc.readOnlyRootFilesystem !== true) add('security', at, 'its root file system is not read-only');
      if (sc.allowPrivilegeEscalation !== false) add('security', at, 'allowPrivilegeEscalation is not false');
      if (!sc.capabilities?.drop?.includes('ALL')) add('security', at, 'does not drop ALL capabilities');
      const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
        add('security', at, 'has no seccomp profile');

      const image = c.image ?? '';
      const tag = /^(?:.*\/)?[^/:@]+(?::([^/@]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(image);
      if (!tag || (!tag[2] && (!tag[1] || tag[1] === 'latest'))) {
        add('images', at, `image ${JSON.stringify(image)} is not pinned (a version tag or a digest)`);
      }
    }
  }

  // brokers: what an app connects to exists, and the namespace's network policies let it through
  const nsLabels = (ns: string): Labels => ({
    'kubernetes.io/metadata.name': ns,
    ...find('Namespace', '', ns)?.metadata?.labels,
  });
  const policies = ofKind('NetworkPolicy');
  interface Peer {
    ns: string;
    labels: Labels;
    ports: ContainerPort[];
  }
  const typesOf = (np: K8sObject) =>
    np.spec?.policyTypes ?? (np.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  const peerMatches = (np: K8sObject, peer: NetworkPolicyPeer, other: Peer) =>
    !peer.ipBlock &&
    (peer.namespaceSelector ? selects(peer.namespaceSelector, nsLabels(other.ns)) : other.ns === nsOf(np)) &&
    selects(peer.podSelector, other.labels);
  const portMatches = (rule: NetworkPolicyRule, target: Peer, port: number, protocol: string) =>
    !rule.ports?.length ||
    rule.ports.some((rp) => {
      if ((rp.protocol ?? 'TCP') !== protocol) return false;
      if (rp.port === undefined) return true;
      if (typeof rp.port === 'string')
        return target.ports.some((cp) => cp.name === rp.port && cp.containerPort === port);
      return port >= rp.port && port <= (rp.endPort ?? rp.port);
    });
  /** Whether `direction` policies on `self` let it talk to `other` (the target being `target`). */
  const lets = (
    direction: 'Ingress' | 'Egress',
    self: Peer,
    other: Peer,
    target: Peer,
    port: number,
    protocol: string,
  ) => {
    const mine = policies.filter(
      (np) =>
        nsOf(np) === self.ns && selects(np.spec?.podSelector, self.labels) && typesOf(np).includes(direction),
    );
    if (!mine.length) return true;
    return mine.some((np) =>
      (direction === 'Ingress' ? np.spec?.ingress : np.spec?.egress)?.some((rule) => {
        const peers = direction === 'Ingress' ? rule.from : rule.to;
        return (
          (!peers?.length || peers.some((peer) => peerMatches(np, peer, other))) &&
          portMatches(rule, target, port, protocol)
        );
      }),
    );
  };
  const DNS: Peer = {
    ns: 'kube-system',
    labels: { 'k8s-app': 'kube-dns' },
    ports: [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    ],
  };
  for (const p of pods) {
    for (const c of containersOf(p.spec)) {
      const env = envs.get(c) ?? {};
      const at = where(p.owner, c);
      const needs: { what: string; host: string; port: number }[] = [];
      for (const b of (env.KAFKA_BROKERS ?? '').split(',').filter((s) => s.trim())) {
        const m = /^(.+):(\d+)$/.exec(b.trim());
        if (m) needs.push({ what: `Kafka broker ${b.trim()}`, host: m[1], port: +m[2] });
      }
      if (env.REDIS_URL) {
        try {
          const u = new URL(env.REDIS_URL);
          needs.push({ what: `Redis ${u.host}`, host: u.hostname, port: +(u.port || 6379) });
        } catch {
          // not a URL: the env check reports it for an app
        }
      }
      if (!needs.length) continue;
      const self: Peer = {
        ns: p.ns,
        labels: p.labels,
        ports: (p.spec.containers ?? []).flatMap((x) => x.ports ?? []),
      };
      if (!lets('Egress', self, DNS, DNS, 53, 'UDP')) {
        add(
          'brokers',
          at,
          `the network policies do not let it ask the cluster DNS (UDP 53) for ${needs[0].host}`,
        );
      }
      for (const n of needs) {
        // A Service of the pod's namespace: `name`, or `name.<ns>[.svc[.cluster.local]]`.
        const [name, ns = p.ns] = n.host.split('.');
        const svc = ns === p.ns ? find('Service', p.ns, name) : undefined;
        const sp = svc?.spec?.ports?.find((x) => x.port === n.port);
        if (!svc || !sp) {
          add(
            'brokers',
            at,
            `${n.what}: no Service ${name} with port ${n.port} in namespace ${p.ns || '(none)'}`,
          );
          continue;
        }
        const targets = podsOf(svc);
        if (!targets.length) add('brokers', at, `${n.what}: Service ${name} has no pod behind it`);
        for (const t of targets) {
          const cp = portIn(t.spec.containers ?? [], sp.targetPort ?? sp.port);
          if (!cp) continue; // the ports check reports it
          const target: Peer = {
            ns: t.ns,
            labels: t.labels,
            ports: (t.spec.containers ?? []).flatMap((x) => x.ports ?? []),
          };
          if (!lets('Egress', self, target, target, cp.containerPort, 'TCP')) {
            add(
              'brokers',
              at,
              `${n.what}: the network policies do not let it out to ${where(t.owner)} port ${cp.containerPort}`,
            );
          }
          if (!lets('Ingress', target, self, target, cp.containerPort, 'TCP')) {
            add(
              'brokers',
              at,
              `${n.what}: the network policies do not let it into ${where(t.owner)} port ${cp.containerPort}`,
            );
          }
        }
      }
    }
  }

  // isolation and quota, per namespace
  for (const ns of [...new Set(pods.map((p) => p.ns))]) {
    const here = pods.filter((p) => p.ns === ns);
    const label = `namespace ${ns || '(none)'}`;
    if (options.isolated) {
      const denyAll = policies.some(
        (np) =>
          nsOf(np) === ns &&
          !Object.keys(np.spec?.podSelector?.matchLabels ?? {}).length &&
          !(np.spec?.podSelector?.matchExpressions ?? []).length &&
          ['Ingress', 'Egress'].every((t) => typesOf(np).includes(t)) &&
          !np.spec?.ingress?.length &&
          !np.spec?.egress?.length,
      );
      if (!denyAll)
        add('isolation', label, 'no default-deny NetworkPolicy (every pod, Ingress and Egress, no rule)');
    }

    const podTotals = (p: Pod) => {
      const t: Record<string, number> = {};
      for (const kind of ['requests', 'limits'] as const) {
        for (const res of ['cpu', 'memory']) {
          const sum = (p.spec.containers ?? []).reduce(
            (a, c) => a + (quantity(c.resources?.[kind]?.[res]) || 0),
            0,
          );
          const init = Math.max(
            0,
            ...(p.spec.initContainers ?? []).map((c) => quantity(c.resources?.[kind]?.[res]) || 0),
          );
          t[`${kind}.${res}`] = Math.max(sum, init);
        }
      }
      return t;
    };
    for (const rq of objects.filter((o) => o.kind === 'ResourceQuota' && nsOf(o) === ns)) {
      const hard = rq.spec?.hard ?? {};
      const surge = here
        .filter((p) => p.owner.kind === 'Deployment')
        .map(podTotals)
        .reduce<Record<string, number>>(
          (a, t) => (t['requests.memory'] > (a['requests.memory'] ?? -1) ? t : a),
          {},
        );
      const need: Record<string, number> = {
        pods: here.reduce((a, p) => a + p.replicas, 0) + (Object.keys(surge).length ? 1 : 0),
        services: objects.filter((o) => o.kind === 'Service' && nsOf(o) === ns).length,
        persistentvolumeclaims: 0,
        'requests.storage': 0,
      };
      for (const p of here) {
        const t = podTotals(p);
        for (const k of Object.keys(t)) need[k] = (need[k] ?? 0) + p.replicas * t[k];
        for (const vct of p.owner.kind === 'StatefulSet' ? (p.owner.spec?.volumeClaimTemplates ?? []) : []) {
          need.persistentvolumeclaims += p.replicas;
          need['requests.storage'] += p.replicas * (quantity(vct.spec?.resources?.requests?.storage) || 0);
        }
      }
      for (const k of Object.keys(surge)) need[k] += surge[k];
      for (const [k, v] of Object.entries(need)) {
        const limit = quantity(
          hard[k] ?? (k.startsWith('requests.') ? hard[k.slice('requests.'.length)] : undefined),
        );
        if (!Number.isNaN(limit) && v > limit + 1e-9) {
          add(
            'quota',
            where(rq),
            `${k}: the lab needs ${+v.toPrecision(6)} (with a rolling update's extra pod), the quota allows ${hard[k]}`,
          );
        }
      }
    }
    for (const lr of objects.filter((o) => o.kind === 'LimitRange' && nsOf(o) === ns)) {
      for (const item of lr.spec?.limits ?? []) {
        if (item.type === 'Container') {
          for (const p of here) {
            for (const c of containersOf(p.spec)) {
              for (const res of ['cpu', 'memory']) {
                const max = quantity(item.max?.[res]);
                const min = quantity(item.min?.[res]);
                const lim = quantity(c.resources?.limits?.[res]);
                const req = quantity(c.resources?.requests?.[res]);
                if (lim > max || req > max)
                  add('quota', where(p.owner, c), `${res} above the LimitRange's max (${item.max?.[res]})`);
                if (req < min)
                  add(
                    'quota',
                    where(p.owner, c),
                    `${res} request below the LimitRange's min (${item.min?.[res]})`,
                  );
              }
            }
          }
        } else if (item.type === 'PersistentVolumeClaim') {
          for (const p of here) {
            for (const vct of p.owner.kind === 'StatefulSet'
              ? (p.owner.spec?.volumeClaimTemplates ?? [])
              : []) {
              const s = vct.spec?.resources?.requests?.storage;
              if (quantity(s) > quantity(item.max?.storage)) {
                add(
                  'quota',
                  where(p.owner),
                  `a volume claim of ${s} is above the LimitRange's max (${item.max?.storage})`,
                );
              }
            }
          }
        }
      }
    }
  }
  return problems;
}

export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `[${p.check}] ${p.where}: ${p.message}`).join('\n');
}
