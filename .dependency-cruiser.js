/** Architecture rules (checked by `npm run lint`): the kernel model stays pure and the layers stay visible. */
module.exports = {
  forbidden: [
    {
      name: 'kernel-is-pure',
      comment:
        'libs/kernel imports only libs/wire and itself: no Nest, Kafka, Redis, runtime, shell or apps.',
      severity: 'error',
      from: { path: '^libs/kernel/' },
      to: { pathNot: '^libs/(kernel|wire)/' },
    },
    {
      name: 'wire-stands-alone',
      comment: 'libs/wire (header codecs) depends on nothing else in the repo or outside it.',
      severity: 'error',
      from: { path: '^libs/wire/' },
      to: { pathNot: '^libs/wire/' },
    },
    {
      name: 'topology-stands-alone',
      comment:
        'libs/topology (topology files → plain specs) depends on no other lib and no app: the runtime and the CLI build labs from its specs.',
      severity: 'error',
      from: { path: '^libs/topology/' },
      to: { path: '^(libs|apps)/', pathNot: '^libs/topology/' },
    },
    {
      name: 'contracts-see-kernel-types-only',
      comment: 'The wire contracts between services may use the kernel structs (include/), never its logic.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^libs/(kernel|runtime|userland|shell)/', pathNot: '^libs/kernel/src/include/' },
    },
    {
      name: 'no-app-to-app',
      comment: 'An app may use any lib but never another app.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'service-shell-is-for-apps',
      comment:
        'libs/service (Nest, Kafka, Redis) is the shell of the distributed-mode apps: no other lib imports it, so the embedded lab and the CLI bundle stay free of it.',
      severity: 'error',
      from: { path: '^libs/(?!service/)' },
      to: { path: '^libs/service/' },
    },
    {
      name: 'distributed-adapters-below-the-tools',
      comment:
        'libs/distributed adapts the runtime to Kafka and Redis; the tools and the shell sit above it.',
      severity: 'error',
      from: { path: '^libs/distributed/' },
      to: { path: '^libs/(userland|shell|service)/|^apps/' },
    },
    {
      name: 'service-runs-kernel-operations-not-tools',
      comment:
        'The layer services apply configuration as kernel operations (the config log), never as command ' +
        'lines: their shared code imports neither the shell nor the tools (the control app, which boots ' +
        'a topology from its boot lines, may).',
      severity: 'error',
      from: { path: '^libs/service/' },
      to: { path: '^libs/(userland|shell)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'The codecs form a tree. (The kernel model does not: like Linux, ip_output calls icmp_send and icmp calls ip_make_skb.)',
      from: { path: '^libs/wire/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.spec\\.ts$' },
  },
};
