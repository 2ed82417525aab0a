#!/usr/bin/env node
/**
 * A real single-node Kafka broker (KRaft, broker + controller in one JVM) for tests, without Docker.
 *
 *   node tools/kafka-broker/broker.js start  [--port P] [--dir D] [--timeout S] [--fresh] [--sasl FILE]
 *   node tools/kafka-broker/broker.js stop   [--dir D]
 *   node tools/kafka-broker/broker.js status [--dir D]
 *   node tools/kafka-broker/broker.js build
 *
 * The jars come from Maven Central: on first use `mvn -B -q -f tools/kafka-broker/pom.xml package` copies
 * kafka_2.13 and its runtime dependencies into tools/kafka-broker/target/lib (rebuilt when pom.xml changes;
 * the downloads are cached in ~/.m2). `start` formats the storage (kafka.tools.StorageTool, random cluster
 * id, --ignore-formatted), starts `java … kafka.Kafka <run dir>/server.properties` in the background, and
 * waits until the broker answers a real Metadata request with itself registered. It prints the bootstrap
 * address (e.g. 127.0.0.1:39092) on stdout; everything else goes to stderr.
 *
 * --port P   the PLAINTEXT port (default 0: a free one); the controller port is always a free one.
 * --dir D    run directory: server.properties, data/, broker.log, broker.pid, state.json.
 *            Default: $TMPDIR/skblab-kafka-broker. Never inside the repository.
 * --timeout S  readiness deadline in seconds (default 90).
 * --fresh    delete D/data before starting (a new cluster).
 * --sasl FILE  a SASL broker: FILE is JSON { "users": { "name": "password" }, "superUsers": ["name"] }. Clients
 *            log in with SCRAM-SHA-512 and may do only what ACLs allow (allow.everyone.if.no.acl.found=false,
 *            KRaft's StandardAuthorizer); the users are created when the data is formatted. See start().
 *
 * Plain CommonJS with no dependencies so it runs from anywhere; also usable as a module
 * (require('tools/kafka-broker/broker.js').start({...})), as test/infra/global-setup.ts does.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Buffer } = require('node:buffer');
const { setTimeout: sleep } = require('node:timers/promises');
const { setTimeout, clearTimeout } = require('node:timers');

const HERE = __dirname;
const POM = path.join(HERE, 'pom.xml');
const TEMPLATE = path.join(HERE, 'server.properties');
const LOG4J2 = path.join(HERE, 'log4j2.properties');
const TARGET = path.join(HERE, 'target');
const LIB = path.join(TARGET, 'lib');
const BUILT_MARKER = path.join(LIB, '.skblab-built');
const BUILD_LOCK = path.join(TARGET, '.build-lock');
const DEFAULT_DIR = path.join(os.tmpdir(), 'skblab-kafka-broker');
const HOST = '127.0.0.1';
const JVM_OPTS = ['-Xms256m', '-Xmx512m', '-XX:ActiveProcessorCount=2'];
// The storage formatter lives ~1 s: C1-only JIT and the serial GC start it ~0.5 s faster on 2 cores.
const TOOL_JVM_OPTS = [
  '-Xmx256m',
  '-XX:ActiveProcessorCount=2',
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
];

const defaultLog = (msg) => process.stderr.write(`[kafka-broker] ${msg}\n`);

// ---------------------------------------------------------------------------------------------- build

function pomHash() {
  return crypto.createHash('sha256').update(fs.readFileSync(POM)).digest('hex');
}

function isBuilt() {
  try {
    return fs.readFileSync(BUILT_MARKER, 'utf8').trim() === pomHash();
  } catch {
    return false;
  }
}

function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Takes a cross-process lock (mkdir is atomic); a lock whose holder died is broken. */
async function withBuildLock(deadline, log, fn) {
  fs.mkdirSync(TARGET, { recursive: true });
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(BUILD_LOCK);
      fs.writeFileSync(path.join(BUILD_LOCK, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number(fs.readFileSync(path.join(BUILD_LOCK, 'pid'), 'utf8'));
      } catch {
        /* being created or removed */
      }
      const age = Date.now() - safeMtime(BUILD_LOCK);
      if ((Number.isInteger(holder) && !pidAlive(holder)) || (!Number.isInteger(holder) && age > 10_000)) {
        fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${BUILD_LOCK}`);
      if (!announced) log(`waiting for another build (pid ${holder}) to finish`);
      announced = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

function safeMtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return Date.now();
  }
}

/**
 * Makes sure target/lib holds the broker's jars: runs Maven once (and again when pom.xml changes).
 * Returns { built: boolean, ms: number }.
 */
async function ensureBuilt(opts = {}) {
  const log = opts.log || defaultLog;
  const timeoutMs = opts.timeoutMs || 15 * 60_000;
  const deadline = Date.now() + timeoutMs;
  if (isBuilt()) return { built: false, ms: 0 };
  return withBuildLock(deadline, log, async () => {
    if (isBuilt()) return { built: false, ms: 0 }; // someone else built it while we waited
    const mvn = process.env.MVN || 'mvn';
    if (spawnSync(mvn, ['-v'], { stdio: 'ignore' }).error) {
      throw new Error(
        `Maven ('${mvn}') is not installed: it is needed once to fetch the Kafka jars (${POM})`,
      );
    }
    log(`building the broker classpath with Maven (first use; downloads ~64 MB into ~/.m2 if empty)`);
    fs.rmSync(LIB, { recursive: true, force: true });
    const t0 = Date.now();
    const out = [];
    const child = spawn(mvn, ['-B', '-q', '-f', POM, 'package'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    const code = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          child.kill('SIGKILL');
          reject(new Error(`Maven build did not finish within ${timeoutMs / 1000}s`));
        },
        Math.max(1, deadline - Date.now()),
      );
      child.on('error', (e) => (clearTimeout(timer), reject(e)));
      child.on('exit', (c, sig) => (clearTimeout(timer), resolve(c === null ? sig : c)));
    });
    if (code !== 0) {
      const text = Buffer.concat(out).toString('utf8');
      throw new Error(`Maven build failed (exit ${code}):\n${tail(text, 40)}`);
    }
    const jars = fs.readdirSync(LIB).filter((f) => f.endsWith('.jar'));
    if (!jars.some((f) => /^kafka_2\.13-.*\.jar$/.test(f))) {
      throw new Error(`Maven build produced no kafka_2.13 jar in ${LIB}`);
    }
    fs.writeFileSync(BUILT_MARKER, pomHash() + '\n');
    const ms = Date.now() - t0;
    log(`built ${jars.length} jars in ${(ms / 1000).toFixed(1)}s`);
    return { built: true, ms };
  });
}

// --------------------------------------------------------------------------------------- properties

function readProperties(file) {
  const props = new Map();
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const i = line.search(/[=:]/);
    if (i < 0) continue;
    props.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return props;
}

function writeProperties(file, props, header, secret = false) {
  const lines = [`# ${header}`];
  for (const [k, v] of props) lines.push(`${k}=${v}`);
  // A file's mode is set when it is created: one that will hold passwords is made anew, readable by us only.
  if (secret) fs.rmSync(file, { force: true });
  fs.writeFileSync(file, lines.join('\n') + '\n', secret ? { mode: 0o600 } : undefined);
}

/** A Kafka-style cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
function randomClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-') && !/^A+$/.test(id)) return id;
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------------------- Kafka wire protocol

function encodeRequest(apiKey, apiVersion, correlationId, body) {
  const clientId = Buffer.from('skblab-broker-probe');
  const header = Buffer.alloc(2 + 2 + 4 + 2);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

/**
 * Sends requests one after the other on one connection; resolves with the response bodies. A request may be
 * a function of the answers so far (a SASL exchange answers the server's challenge).
 */
function kafkaExchange(host, port, requests, timeoutMs) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const responses = [];
    let buf = Buffer.alloc(0);
    let next = 0;
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    function finish(err) {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(responses);
    }
    function sendNext() {
      let req;
      try {
        req = typeof requests[next] === 'function' ? requests[next](responses) : requests[next];
      } catch (e) {
        return finish(e);
      }
      sock.write(encodeRequest(req.apiKey, req.version, next + 1, req.body));
    }
    sock.on('connect', sendNext);
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error('connection closed by the broker')));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const size = buf.readInt32BE(0);
        const frame = buf.subarray(4, 4 + size);
        buf = buf.subarray(4 + size);
        if (frame.readInt32BE(0) !== next + 1) return finish(new Error('unexpected correlation id'));
        responses.push(frame.subarray(4)); // response header v0: correlation id only
        next += 1;
        if (next === requests.length) return finish();
        sendNext();
      }
    });
  });
}

class Reader {
  constructor(buf) {
    this.buf = buf;
    this.off = 0;
  }
  int16() {
    const v = this.buf.readInt16BE(this.off);
    this.off += 2;
    return v;
  }
  int32() {
    const v = this.buf.readInt32BE(this.off);
    this.off += 4;
    return v;
  }
  string() {
    const n = this.int16();
    if (n < 0) return null;
    const s = this.buf.toString('utf8', this.off, this.off + n);
    this.off += n;
    return s;
  }
  bytes() {
    const n = this.int32();
    if (n < 0) return null;
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
}

/** The Metadata request (a non-flexible version in 4..8, as Kafka 4.x dropped v0-v3) for no topics. */
function metadataRequest(apiVersions) {
  const r = new Reader(apiVersions);
  const err = r.int16();
  if (err !== 0) throw new Error(`ApiVersions error code ${err}`);
  let meta = null;
  for (let n = r.int32(), i = 0; i < n; i++) {
    const key = r.int16();
    const min = r.int16();
    const max = r.int16();
    if (key === 3) meta = { min, max };
  }
  if (!meta) throw new Error('broker does not offer the Metadata API');
  const version = Math.min(meta.max, 8);
  if (version < Math.max(meta.min, 4))
    throw new Error(`no usable Metadata version (${meta.min}..${meta.max})`);
  const body = Buffer.alloc(version >= 8 ? 7 : 5);
  body.writeInt32BE(0, 0); // topics: empty array = no topics
  body.writeInt8(0, 4); // allow_auto_topic_creation
  // v8: include_cluster_authorized_operations, include_topic_authorized_operations = false (zero-filled)
  return { apiKey: 3, version, body };
}

function parseMetadata(metadata) {
  const m = new Reader(metadata);
  m.int32(); // throttle_time_ms
  const brokers = [];
  for (let n = m.int32(), i = 0; i < n; i++) {
    brokers.push({ nodeId: m.int32(), host: m.string(), port: m.int32() });
    m.string(); // rack
  }
  const clusterId = m.string();
  const controllerId = m.int32();
  return { clusterId, controllerId, brokers };
}

const hmac = (key, text) => crypto.createHmac('sha512', key).update(text).digest();

/**
 * The client side of SCRAM-SHA-512 (RFC 5802), for the readiness probe of a SASL broker: `first` is the
 * client-first message, `final(serverFirst)` the client-final one, `verify(serverFinal)` checks the server's
 * signature (a broker that does not know the password could not make it).
 */
function scramSha512(username, password) {
  const nonce = crypto.randomBytes(24).toString('base64');
  const bare = `n=${username.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${nonce}`;
  let serverSignature = null;
  return {
    first: Buffer.from(`n,,${bare}`),
    final(serverFirstBytes) {
      const serverFirst = serverFirstBytes.toString('utf8');
      const attr = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
      if (!attr.r || !attr.r.startsWith(nonce) || !attr.s || !(Number(attr.i) > 0))
        throw new Error(`unexpected SCRAM server-first message`);
      const salted = crypto.pbkdf2Sync(password, Buffer.from(attr.s, 'base64'), Number(attr.i), 64, 'sha512');
      const clientKey = hmac(salted, 'Client Key');
      const storedKey = crypto.createHash('sha512').update(clientKey).digest();
      const withoutProof = `c=biws,r=${attr.r}`;
      const authMessage = `${bare},${serverFirst},${withoutProof}`;
      const signature = hmac(storedKey, authMessage);
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
      serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
    },
    verify(serverFinalBytes) {
      if (serverFinalBytes.toString('utf8') !== `v=${serverSignature}`)
        throw new Error('the broker did not prove it knows the SCRAM credential');
    },
  };
}

/** SaslHandshake v1 / SaslAuthenticate v1 bodies and answers (both non-flexible). */
function kafkaString(s) {
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length, 0);
  return Buffer.concat([len, b]);
}
function kafkaBytes(b) {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b.length, 0);
  return Buffer.concat([len, b]);
}
function saslAnswer(buf, what) {
  const r = new Reader(buf);
  const err = r.int16();
  const message = r.string();
  if (err !== 0) throw new Error(`${what}: error code ${err}${message ? ` (${message})` : ''}`);
  return r.bytes();
}

/**
 * Asks the broker for cluster metadata: ApiVersions v0, then Metadata for no topics. With `auth`
 * ({ username, password }: a SCRAM-SHA-512 user of a SASL broker), the Metadata request follows a SASL
 * handshake and authentication on the same connection. Resolves { clusterId, controllerId, brokers:
 * [{nodeId, host, port}] }.
 */
async function probe(host, port, timeoutMs = 3000, auth = null) {
  if (auth) return probeSasl(host, port, timeoutMs, auth);
  const [apiVersions] = await kafkaExchange(
    host,
    port,
    [{ apiKey: 18, version: 0, body: Buffer.alloc(0) }],
    timeoutMs,
  );
  const [metadata] = await kafkaExchange(host, port, [metadataRequest(apiVersions)], timeoutMs);
  return parseMetadata(metadata);
}

async function probeSasl(host, port, timeoutMs, auth) {
  const scram = scramSha512(auth.username, auth.password);
  const answers = await kafkaExchange(
    host,
    port,
    [
      { apiKey: 18, version: 0, body: Buffer.alloc(0) },
      { apiKey: 17, version: 1, body: kafkaString('SCRAM-SHA-512') },
      ([, handshake]) => {
        const err = new Reader(handshake).int16();
        if (err !== 0) throw new Error(`SaslHandshake: error code ${err} (is SCRAM-SHA-512 enabled?)`);
        return { apiKey: 36, version: 1, body: kafkaBytes(scram.first) };
      },
      ([, , first]) => ({
        apiKey: 36,
        version: 1,
        body: kafkaBytes(scram.final(saslAnswer(first, 'SaslAuthenticate'))),
      }),
      ([apiVersions, , , final]) => {
        scram.verify(saslAnswer(final, 'SaslAuthenticate'));
        return metadataRequest(apiVersions);
      },
    ],
    timeoutMs,
  );
  return parseMetadata(answers[4]);
}

// ------------------------------------------------------------------------------------ run directory

function files(dir) {
  return {
    dir,
    props: path.join(dir, 'server.properties'),
    data: path.join(dir, 'data'),
    log: path.join(dir, 'broker.log'),
    pid: path.join(dir, 'broker.pid'),
    state: path.join(dir, 'state.json'),
    // A SASL broker's own passwords (mode 0600), kept for a restart on the same data.
    sasl: path.join(dir, 'sasl.json'),
    // The storage format's arguments when they hold passwords (deleted once read).
    formatArgs: path.join(dir, 'format.args'),
  };
}

function readState(dir) {
  const f = files(dir);
  try {
    const state = JSON.parse(fs.readFileSync(f.state, 'utf8'));
    state.pid = Number(fs.readFileSync(f.pid, 'utf8'));
    return state;
  } catch {
    return null;
  }
}

/** How to probe the broker a state describes: as the broker's own SCRAM user when it runs SASL. */
function probeAuth(dir, state) {
  if (!state.sasl) return null;
  const secrets = JSON.parse(fs.readFileSync(files(dir).sasl, 'utf8'));
  return { username: BROKER_USER, password: secrets.scramPassword };
}

/** True only if pid is alive AND is our kafka.Kafka JVM (guards against a recycled pid). */
function isOurBroker(pid, dir) {
  if (!pidAlive(pid)) return false;
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmd.includes('kafka.Kafka') && cmd.includes(files(dir).props);
  } catch {
    return process.platform !== 'linux'; // no /proc: trust the pid file
  }
}

function tail(text, lines = 30) {
  return text.split('\n').slice(-lines).join('\n');
}

/** The last lines of the broker log, without Java stack frames (the messages and 'Caused by' lines stay). */
function logTail(dir, lines = 30) {
  try {
    const text = fs.readFileSync(files(dir).log, 'utf8').trimEnd();
    const kept = text.split('\n').filter((l) => !/^\s+(at |\.\.\. \d+ more)/.test(l));
    return kept.slice(-lines).join('\n') || '(empty broker log)';
  } catch {
    return '(no broker log)';
  }
}

function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function javaArgs(extra, jvmOpts = JVM_OPTS) {
  return [...jvmOpts, '-cp', path.join(LIB, '*'), `-Dlog4j2.configurationFile=${LOG4J2}`, ...extra];
}

function existingClusterId(f) {
  try {
    return readProperties(path.join(f.data, 'meta.properties')).get('cluster.id') || null;
  } catch {
    return null;
  }
}

/**
 * `kafka.tools.StorageTool format` (asynchronous: ~2 s of JVM start that must not block the caller's event loop).
 * `secretArgs` (SASL's --add-scram, which holds passwords) go through a java @argument file of mode 0600,
 * not the command line, which any local user can read in /proc while the JVM runs.
 */
function formatStorage(f, clusterId, secretArgs = []) {
  const tool = ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', f.props, '--ignore-formatted'];
  let args = javaArgs(tool, TOOL_JVM_OPTS);
  if (secretArgs.length) {
    // Every token is free of white space and quotes (checked in saslConfig), so one a line needs no quoting.
    fs.writeFileSync(f.formatArgs, [...tool, ...secretArgs].join('\n') + '\n', { mode: 0o600 });
    args = javaArgs([`@${f.formatArgs}`], TOOL_JVM_OPTS);
  }
  const removeArgs = () => fs.rmSync(f.formatArgs, { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(javaBin(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('close', removeArgs);
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not run java (${javaBin()}): ${e.message}`));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const text = Buffer.concat(out).toString('utf8');
      reject(
        new Error(`StorageTool format failed (${code === null ? sig : `exit ${code}`}):\n${tail(text, 20)}`),
      );
    });
  });
}

// --------------------------------------------------------------------------------------------- SASL

/**
 * The broker's own user: inter-broker traffic (SCRAM on the client listener), its calls to the controller
 * (PLAIN on the controller listener) and the readiness probe. A super user whose passwords stay in the run
 * directory; never a client's.
 */
const BROKER_USER = 'skblab-broker';
const SASL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// What passes StorageTool's --add-scram parser, a JAAS quoted string and an argument file unchanged.
const SASL_PASSWORD = /^[A-Za-z0-9._~+/-]{8,256}$/;

/**
 * Checks opts.sasl ({ users: { name: password }, superUsers: [name] }); resolves { users: [[name, password]],
 * superUsers }. Super users need not be among `users` (their credentials may be added later).
 */
function saslConfig(sasl) {
  if (typeof sasl !== 'object' || sasl === null) throw new Error('sasl: expected { users, superUsers }');
  const users = Object.entries(sasl.users ?? {});
  const superUsers = sasl.superUsers ?? [];
  if (!Array.isArray(superUsers)) throw new Error('sasl.superUsers: expected a list of user names');
  for (const name of [...users.map(([n]) => n), ...superUsers]) {
    if (typeof name !== 'string' || !SASL_NAME.test(name))
      throw new Error(`sasl: user name ${JSON.stringify(name)} must match ${SASL_NAME}`);
    if (name === BROKER_USER) throw new Error(`sasl: ${BROKER_USER} is the broker's own user`);
  }
  for (const [name, password] of users) {
    // The password itself is never repeated.
    if (typeof password !== 'string' || !SASL_PASSWORD.test(password))
      throw new Error(`sasl: the password of ${name} must be 8-256 of [A-Za-z0-9._~+/-]`);
  }
  return { users, superUsers };
}

/** The broker's own passwords: new with new data, else those the data was formatted with. */
function brokerSecrets(f, formatted) {
  if (formatted) {
    try {
      return JSON.parse(fs.readFileSync(f.sasl, 'utf8'));
    } catch {
      throw new Error(`${f.data} was formatted without SASL (no ${f.sasl}): start with --fresh`);
    }
  }
  const secrets = {
    scramPassword: crypto.randomBytes(24).toString('base64url'),
    controllerPassword: crypto.randomBytes(24).toString('base64url'),
  };
  fs.writeFileSync(f.sasl, JSON.stringify(secrets) + '\n', { mode: 0o600 });
  return secrets;
}

/**
 * A SASL broker's listeners and authorizer. Clients: SASL_PLAINTEXT with SCRAM-SHA-512 only, ACLs enforced
 * by KRaft's StandardAuthorizer, and nothing allowed that no ACL allows. The controller listener takes PLAIN
 * with a password only the broker has: KRaft cannot check SCRAM there (the credentials live in the metadata
 * log the controller serves), and PLAINTEXT would make its principal, ANONYMOUS, a super user to anyone who
 * reaches the port.
 */
function setSaslProps(props, sasl, secrets, port, controllerPort) {
  const jaas = (module, fields) =>
    `org.apache.kafka.common.security.${module} required ${Object.entries(fields)
      .map(([k, v]) => `${k}="${v}"`)
      .join(' ')};`;
  props.set('listeners', `CLIENT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`);
  props.set('advertised.listeners', `CLIENT://${HOST}:${port}`);
  props.set('listener.security.protocol.map', 'CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT');
  props.set('inter.broker.listener.name', 'CLIENT');
  props.set('sasl.mechanism.inter.broker.protocol', 'SCRAM-SHA-512');
  props.set('listener.name.client.sasl.enabled.mechanisms', 'SCRAM-SHA-512');
  props.set(
    'listener.name.client.scram-sha-512.sasl.jaas.config',
    jaas('scram.ScramLoginModule', { username: BROKER_USER, password: secrets.scramPassword }),
  );
  props.set('sasl.mechanism.controller.protocol', 'PLAIN');
  props.set('listener.name.controller.sasl.enabled.mechanisms', 'PLAIN');
  props.set(
    'listener.name.controller.plain.sasl.jaas.config',
    jaas('plain.PlainLoginModule', {
      username: BROKER_USER,
      password: secrets.controllerPassword,
      [`user_${BROKER_USER}`]: secrets.controllerPassword,
    }),
  );
  props.set('authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer');
  props.set('allow.everyone.if.no.acl.found', 'false');
  props.set('super.users', [BROKER_USER, ...sasl.superUsers].map((u) => `User:${u}`).join(';'));
}

/** StorageTool's --add-scram arguments: the broker's user and the clients', created with the data. */
function scramArgs(sasl, secrets) {
  return [[BROKER_USER, secrets.scramPassword], ...sasl.users].flatMap(([name, password]) => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${name},password=${password}]`,
  ]);
}

// --------------------------------------------------------------------------------------- start/stop

/**
 * Starts a broker; resolves { bootstrap, pid, port, controllerPort, dir, readyMs, alreadyRunning, sasl }.
 * opts: port (0 = free), dir, timeoutMs (readiness, default 90 s), fresh, detached (default true; false keeps
 * the JVM in the caller's process group so a Ctrl-C of the caller stops it too), log, buildTimeoutMs,
 * ownerPid (a watchdog stops the broker once that process has exited) and removeDirWithOwner (the watchdog then
 * also deletes dir).
 * opts.sasl ({ users: { name: password }, superUsers: [name] }): clients must log in with SCRAM-SHA-512 and
 * may do only what an ACL allows them (super users: everything). The users are created with the data (a
 * restart on existing data keeps those of its first start); add others at run time with an
 * AlterUserScramCredentials request (libs/distributed/src/scram-users.ts).
 */
async function start(opts = {}) {
  const log = opts.log || defaultLog;
  const dir = path.resolve(opts.dir || DEFAULT_DIR);
  const f = files(dir);
  const timeoutMs = opts.timeoutMs || 90_000;
  const sasl = opts.sasl ? saslConfig(opts.sasl) : null;

  const existing = readState(dir);
  if (existing && isOurBroker(existing.pid, dir)) {
    if (!!existing.sasl !== !!sasl)
      throw new Error(
        `a broker (pid ${existing.pid}) runs in ${dir} ${existing.sasl ? 'with' : 'without'} SASL: stop it first`,
      );
    await probe(HOST, existing.port, 3000, probeAuth(dir, existing)).catch((e) => {
      throw new Error(`a broker (pid ${existing.pid}) runs in ${dir} but does not answer: ${e.message}`);
    });
    log(`already running (pid ${existing.pid}) in ${dir}`);
    return { ...existing, dir, readyMs: 0, alreadyRunning: true };
  }

  await ensureBuilt({ log, timeoutMs: opts.buildTimeoutMs });

  // A SASL broker's directory holds its passwords: readable by us only.
  fs.mkdirSync(dir, { recursive: true, mode: sasl ? 0o700 : 0o777 });
  if (opts.fresh) {
    fs.rmSync(f.data, { recursive: true, force: true });
    fs.rmSync(f.sasl, { force: true });
  }

  const fixedPort = opts.port ? Number(opts.port) : 0;
  if (fixedPort && !(await portFree(fixedPort)))
    throw new Error(`port ${HOST}:${fixedPort} is already in use`);
  const attempts = fixedPort ? 1 : 3; // a free port can be taken between our probe and the JVM's bind
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const r = await launch(f, fixedPort, timeoutMs, opts.detached !== false, log, sasl);
      if (opts.ownerPid) {
        spawnWatchdog({
          ownerPid: opts.ownerPid,
          pid: r.pid,
          match: f.props,
          rmDir: opts.removeDirWithOwner ? dir : undefined,
        });
      }
      return r;
    } catch (e) {
      lastError = e;
      if (!e.portInUse || attempt === attempts) break;
      log(`port taken, retrying with other ports`);
    }
  }
  throw lastError;
}

async function launch(f, fixedPort, timeoutMs, detached, log, sasl) {
  const t0 = Date.now();
  const port = fixedPort || (await freePort());
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();

  const clusterId = existingClusterId(f);
  const secrets = sasl ? brokerSecrets(f, clusterId !== null) : null;
  const props = readProperties(TEMPLATE);
  props.set('listeners', `PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`);
  props.set('advertised.listeners', `PLAINTEXT://${HOST}:${port}`);
  props.set('controller.quorum.voters', `${props.get('node.id') || '1'}@${HOST}:${controllerPort}`);
  props.set('log.dirs', f.data);
  if (sasl) setSaslProps(props, sasl, secrets, port, controllerPort);
  writeProperties(
    f.props,
    props,
    `generated by ${path.relative(process.cwd(), path.join(HERE, 'broker.js'))} from ${TEMPLATE}`,
    !!sasl,
  );

  // Kafka 4.1's `format --ignore-formatted` still checks the cluster id against an existing data/meta.properties
  // (and fails on a mismatch), so a restart on old data must reuse that id.
  if (sasl && clusterId && sasl.users.length)
    log(
      `${f.data} exists: its SCRAM users are those it was formatted with (the users given now are not added)`,
    );
  await formatStorage(f, clusterId || randomClusterId(), sasl ? scramArgs(sasl, secrets) : []);
  const formatMs = Date.now() - t0;

  fs.writeFileSync(f.log, '');
  const logFd = fs.openSync(f.log, 'a');
  const child = spawn(javaBin(), javaArgs([`-Dkafka.logs.dir=${f.dir}`, 'kafka.Kafka', f.props]), {
    cwd: f.dir,
    detached,
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  let exited = null;
  child.on('exit', (code, sig) => (exited = code === null ? sig : `exit ${code}`));
  child.on('error', (e) => (exited = e.message));
  child.unref();
  const pid = child.pid;
  if (!pid) throw new Error(`could not start java (${javaBin()})`);
  fs.writeFileSync(f.pid, String(pid));
  const state = {
    pid,
    port,
    controllerPort,
    bootstrap: `${HOST}:${port}`,
    startedAt: new Date().toISOString(),
    // What clients need to know (never a password): the mechanism, and who may do everything.
    ...(sasl ? { sasl: { mechanism: 'SCRAM-SHA-512', superUsers: sasl.superUsers } } : {}),
  };
  fs.writeFileSync(f.state, JSON.stringify(state, null, 2) + '\n');
  const auth = sasl ? { username: BROKER_USER, password: secrets.scramPassword } : null;

  const deadline = t0 + timeoutMs;
  let lastErr = 'not probed yet';
  for (;;) {
    if (exited !== null) {
      const text = logTail(f.dir, 25);
      const err = new Error(`broker exited during start-up (${exited}); log ${f.log}:\n${text}`);
      err.portInUse = /BindException|Address already in use/.test(text);
      cleanupFiles(f);
      throw err;
    }
    try {
      const md = await probe(HOST, port, 2000, auth);
      if (md.brokers.some((b) => b.port === port)) {
        const readyMs = Date.now() - t0;
        log(
          `ready at ${state.bootstrap} in ${(readyMs / 1000).toFixed(1)}s (format ${(formatMs / 1000).toFixed(1)}s; pid ${pid}, dir ${f.dir})`,
        );
        return { ...state, dir: f.dir, readyMs, formatMs, clusterId: md.clusterId, alreadyRunning: false };
      }
      lastErr = 'broker answers but is not registered yet';
    } catch (e) {
      lastErr = e.message;
    }
    if (Date.now() > deadline) {
      await stopPid(pid, f.dir, 5_000, log);
      cleanupFiles(f);
      throw new Error(
        `broker not ready within ${timeoutMs / 1000}s (last probe: ${lastErr}); log ${f.log}:\n${logTail(f.dir, 25)}`,
      );
    }
    await sleep(200);
  }
}

function cleanupFiles(f) {
  fs.rmSync(f.pid, { force: true });
  fs.rmSync(f.state, { force: true });
}

async function stopPid(pid, dir, graceMs, log) {
  if (!isOurBroker(pid, dir)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
  if (pidAlive(pid)) {
    log(`broker (pid ${pid}) still alive after ${graceMs / 1000}s: SIGKILL`);
    process.kill(pid, 'SIGKILL');
    while (pidAlive(pid)) await sleep(50);
  }
  return true;
}

/**
 * Stops the broker of a run directory (SIGTERM, SIGKILL after 20 s). opts: dir, graceMs, removeDir, log.
 * Resolves true if a broker was stopped.
 */
async function stop(opts = {}) {
  const log = opts.log || defaultLog;
  const dir = path.resolve(opts.dir || DEFAULT_DIR);
  const state = readState(dir);
  let stopped = false;
  if (state) {
    stopped = await stopPid(state.pid, dir, opts.graceMs || 20_000, log);
    cleanupFiles(files(dir));
  }
  if (opts.removeDir) fs.rmSync(dir, { recursive: true, force: true });
  return stopped;
}

/** Resolves { running, ready, pid, bootstrap, dir, error? }. */
async function status(opts = {}) {
  const dir = path.resolve(opts.dir || DEFAULT_DIR);
  const state = readState(dir);
  if (!state || !isOurBroker(state.pid, dir)) return { running: false, ready: false, dir };
  try {
    const md = await probe(HOST, state.port, 3000, probeAuth(dir, state));
    return { running: true, ready: md.brokers.length > 0, pid: state.pid, bootstrap: state.bootstrap, dir };
  } catch (e) {
    return { running: true, ready: false, pid: state.pid, bootstrap: state.bootstrap, dir, error: e.message };
  }
}

// ----------------------------------------------------------------------------------------- watchdog

/**
 * Starts a detached `node broker.js watchdog …` that, once `ownerPid` has exited, SIGTERMs (then SIGKILLs)
 * `pid` if its command line still contains `match`, and removes `rmDir`. It exits by itself as soon as `pid`
 * is gone. This is what stops a broker when the test run that owns it dies without its teardown (crash,
 * SIGKILL, a teardown that could not load). opts: ownerPid, pid, match, rmDir.
 */
function spawnWatchdog(opts) {
  const args = [
    path.join(HERE, 'broker.js'),
    'watchdog',
    '--owner',
    String(opts.ownerPid),
    '--pid',
    String(opts.pid),
  ];
  if (opts.match) args.push('--match', opts.match);
  if (opts.rmDir) args.push('--rm', opts.rmDir);
  const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

async function watchdog(ownerPid, pid, match, rmDir) {
  const ours = () => {
    if (!pidAlive(pid)) return false;
    try {
      return !match || fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(match);
    } catch {
      return process.platform !== 'linux';
    }
  };
  while (pidAlive(ownerPid) && ours()) await sleep(1000);
  if (ours()) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 200 && pidAlive(pid); i++) await sleep(100);
    if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
    if (rmDir) fs.rmSync(rmDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------- CLI

function parseArgs(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--fresh' || a === '--json') out[a.slice(2)] = true;
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
      else out[a.slice(2)] = argv[++i];
    } else out._.push(a);
  }
  return out;
}

async function main(argv) {
  const args = parseArgs(argv);
  const cmd = args._[0];
  switch (cmd) {
    case 'start': {
      const r = await start({
        port: args.port ? Number(args.port) : 0,
        dir: args.dir,
        timeoutMs: args.timeout ? Number(args.timeout) * 1000 : undefined,
        fresh: !!args.fresh,
        // A file, not arguments: passwords on a command line are readable by any local user.
        sasl: args.sasl ? JSON.parse(fs.readFileSync(args.sasl, 'utf8')) : undefined,
      });
      process.stdout.write(args.json ? JSON.stringify(r) + '\n' : r.bootstrap + '\n');
      return 0;
    }
    case 'stop': {
      const stopped = await stop({ dir: args.dir });
      defaultLog(stopped ? 'stopped' : 'not running');
      return 0;
    }
    case 'status': {
      const s = await status({ dir: args.dir });
      if (args.json) process.stdout.write(JSON.stringify(s) + '\n');
      else if (!s.running) process.stdout.write(`not running (${s.dir})\n`);
      else process.stdout.write(`${s.ready ? 'ready' : 'starting'} ${s.bootstrap} pid ${s.pid} (${s.dir})\n`);
      return s.ready ? 0 : s.running ? 2 : 1;
    }
    case 'watchdog': {
      await watchdog(Number(args.owner), Number(args.pid), args.match, args.rm);
      return 0;
    }
    case 'build': {
      await ensureBuilt();
      process.stdout.write(LIB + '\n');
      return 0;
    }
    default:
      process.stderr.write(
        'usage: broker.js start [--port P] [--dir D] [--timeout S] [--fresh] [--sasl FILE] [--json]\n' +
          '       broker.js stop [--dir D] | status [--dir D] [--json] | build\n',
      );
      return 64;
  }
}

module.exports = { start, stop, status, probe, ensureBuilt, spawnWatchdog, DEFAULT_DIR, LIB };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      defaultLog(`error: ${e.message}`);
      process.exitCode = 1;
    },
  );
}
