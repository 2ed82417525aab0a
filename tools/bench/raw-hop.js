#!/usr/bin/env node
// One hop of bench:distributed's raw chain as its own process: consume IN, produce each batch to OUT, with
// the consumer settings of skblab's services and a handler that does nothing else. Prints "ready" once its
// consumer group has joined.
//   node tools/bench/raw-hop.js BROKERS IN OUT GROUP
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const [brokers, inTopic, outTopic, groupId] = process.argv.slice(2);
const kafka = new Kafka({ clientId: groupId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });

async function main() {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 50,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('ready\n'));
  await consumer.connect();
  await consumer.subscribe({ topic: inTopic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [
          { topic: outTopic, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) },
        ],
      });
    },
  });
  const stop = () =>
    void Promise.allSettled([consumer.disconnect(), producer.disconnect()]).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`raw-hop: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
