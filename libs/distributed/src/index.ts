/**
 * @skblab/distributed: the adapters that turn a Lab into one process of a distributed lab (Kafka transport
 * between the services, Redis for what they share), and the shell's side of it.
 */
export * from './config-log';
export * from './counters';
export { Door, type DoorHop } from './door';
export * from './envelope';
export * from './in-process';
export * from './kafka-sasl';
export * from './keys';
export * from './lab-acls';
export * from './neighbours';
export * from './node';
export * from './otlp';
export * from './redact';
export * from './scram-users';
export * from './redis-acls';
export * from './stall';
export * from './stdio';
export * from './topics';
export * from './class-labs';
