#!/usr/bin/env node
// Readiness probe for the local stack (used by stack/up.sh).
//
//   node stack/probe.mjs kafka 127.0.0.1:9092
//   node stack/probe.mjs mongo mongodb://127.0.0.1:27017/task_center
//
// One attempt with short timeouts; the caller loops until its deadline.
// Exit codes: 0 = answers, 1 = not (yet) answering (reason on stderr with
// --verbose), 2 = usage error, 3 = client library missing (run `npm ci`).
//
// kafka: metadata round trip (describeCluster: every broker given is listed) AND a group
//        coordinator lookup, which also makes the broker create __consumer_offsets now
//        rather than on the first test's consumer join.
// mongo: db.command({ ping: 1 }).
//
// kafkajs / mongodb are resolved from the project's node_modules (or NODE_PATH)
// via require(), so this works without the packages being direct dependencies.
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const [kind, target] = args.filter((a) => a !== '--verbose');
const TIMEOUT_MS = Number(process.env.STACK_PROBE_TIMEOUT_MS || 3000);

function load(name) {
  try {
    return require(name);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') {
      process.stderr.write(`stack: probe needs the '${name}' package (run \`npm ci\`)\n`);
      process.exit(3);
    }
    throw err;
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function probeKafka(brokers) {
  const { Kafka, logLevel } = load('kafkajs');
  const kafka = new Kafka({
    clientId: 'stack-probe',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: TIMEOUT_MS,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        // A cluster is ready once every node given is a registered broker.
        const wanted = brokers.split(',').length;
        if (!cluster.brokers || cluster.brokers.length < wanted)
          throw new Error(
            `${cluster.brokers ? cluster.brokers.length : 0} of ${wanted} brokers in metadata`,
          );
        // FindCoordinator: fails with COORDINATOR_NOT_AVAILABLE until __consumer_offsets is ready.
        await admin.describeGroups(['__stack_probe']);
      })(),
      TIMEOUT_MS,
      'kafka',
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

// Fails fast (instead of after the driver's server selection timeout) while nothing
// listens yet. Only for plain mongodb:// URIs; mongodb+srv:// goes straight to the driver.
function tcpReachable(uri) {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^,/?]+)/.exec(uri);
  if (!m) return Promise.resolve();
  const hostPort = m[1];
  const ipv6 = /^\[(.*)\](?::(\d+))?$/.exec(hostPort);
  const host = ipv6 ? ipv6[1] : hostPort.replace(/:\d+$/, '');
  const port = Number(ipv6 ? ipv6[2] || 27017 : (/:(\d+)$/.exec(hostPort) || [])[1] || 27017);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`connect ${host}:${port}: timed out`));
    });
    socket.once('error', (err) => reject(err));
  });
}

async function probeMongo(uri) {
  await tcpReachable(uri);
  const { MongoClient } = load('mongodb');
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: TIMEOUT_MS,
    connectTimeoutMS: TIMEOUT_MS,
    socketTimeoutMS: TIMEOUT_MS,
    maxPoolSize: 1,
    appName: 'stack-probe',
  });
  try {
    const res = await withTimeout(client.db().command({ ping: 1 }), TIMEOUT_MS + 500, 'mongo');
    if (!res || res.ok !== 1) throw new Error(`ping returned ${JSON.stringify(res)}`);
  } finally {
    await client.close(true).catch(() => {});
  }
}

if (!kind || !target || !['kafka', 'mongo'].includes(kind)) {
  process.stderr.write(
    'usage: node stack/probe.mjs kafka <host:port[,host:port]> | mongo <mongodb-uri> [--verbose]\n',
  );
  process.exit(2);
}

try {
  await (kind === 'kafka' ? probeKafka(target) : probeMongo(target));
  process.exit(0);
} catch (err) {
  if (verbose) process.stderr.write(`${kind}: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
}
