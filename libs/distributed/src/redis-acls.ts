/**
 * Redis ACL users that confine a lab's clients to their lab: its keys and channels are `skblab:<lab>:*`
 * (keys.ts), so a user whose key and channel patterns are that prefix can run a shell or a service of the
 * lab and nothing of another's. Commands that reach past key patterns are taken away: KEYS and SCAN (they
 * list every lab's key names), CLIENT TRACKING (its broadcast invalidations name other labs' keys), DBSIZE,
 * PUBSUB (every lab's channels), FUNCTION and SCRIPT FLUSH (shared by all), and the admin and dangerous ones
 * (ACL, CONFIG, FLUSHALL, DEBUG, ...). INFO stays, keyspace counts and all: ioredis's ready check sends it.
 *
 * The instructor reads every lab (keys read-only, every lab's channels to subscribe to) and changes none: no
 * PUBLISH, which would move a lab's time (the advance channel) or its configuration.
 */
import type Redis from 'ioredis';
import { isLabId, LAB_ID_RULE } from '@skblab/contracts';
import { keyPrefix } from './keys';

/** A Redis ACL user name: no spaces or ACL syntax. */
const USER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function checkUser(user: string): void {
  if (!USER.test(user)) throw new RangeError(`invalid Redis user name '${user.slice(0, 80)}'`);
}

function checkPassword(password: string): void {
  // A rule is one argument: a password with a space would still be one, but '>' rules take it whole and
  // an empty one would be "nopass".
  if (password.length < 16) throw new RangeError('a Redis password must have at least 16 characters');
}

const CLOSED = [
  '-@admin',
  '-@dangerous',
  '+info',
  '-scan',
  '-randomkey',
  '-dbsize',
  '-client|tracking',
  '-pubsub',
  '-function',
  '-script|flush',
];

/** The rules of a lab's user (ACL SETUSER user ...rules), from a clean slate. */
export function labAclRules(labId: string, password: string): string[] {
  if (!isLabId(labId))
    throw new RangeError(`invalid lab id '${String(labId).slice(0, 80)}' (${LAB_ID_RULE})`);
  checkPassword(password);
  const prefix = keyPrefix(labId);
  return ['reset', 'on', `>${password}`, `~${prefix}*`, `&${prefix}*`, '+@all', ...CLOSED];
}

/** The instructor's rules: every lab's keys read-only, every lab's channels. */
export function instructorAclRules(password: string): string[] {
  checkPassword(password);
  return [
    'reset',
    'on',
    `>${password}`,
    '%R~skblab:*',
    '&skblab:*',
    '+@all',
    ...CLOSED,
    '-publish',
    '-spublish',
  ];
}

/** Create (or reset) `user` as the user of lab `labId`. */
export async function grantRedisLab(
  admin: Redis,
  labId: string,
  user: string,
  password: string,
): Promise<void> {
  checkUser(user);
  await admin.acl('SETUSER', user, ...labAclRules(labId, password));
}

export async function grantRedisInstructor(admin: Redis, user: string, password: string): Promise<void> {
  checkUser(user);
  await admin.acl('SETUSER', user, ...instructorAclRules(password));
}

/** The user goes, and so do its connections (Redis closes them). */
export async function revokeRedisUser(admin: Redis, user: string): Promise<void> {
  checkUser(user);
  await admin.acl('DELUSER', user);
}
