/**
 * Who may use a lab on a Kafka broker that enforces ACLs (a SASL broker with an authorizer and
 * allow.everyone.if.no.acl.found=false: what no ACL allows is refused). A lab's user gets PREFIXED ACLs on
 * what the lab's DistributedNodes use, and nothing else:
 *
 *   topics  `skblab.<lab>.`  READ, WRITE, DESCRIBE (produce, consume, metadata and offsets), and CREATE
 *                            (DistributedNode.createTopics makes the lab's topics; see GrantOptions)
 *   groups  `<lab>.`         READ, DESCRIBE (join the services' groups, commit, and the shell's look at
 *                            the lags when a lab stalls)
 *
 * Nothing on the cluster and no transactional id: the nodes' producers are not idempotent and use no
 * transactions (libs/distributed's own exactly-once), which the end-to-end test of a lab run as a lab's
 * user shows. Deleting topics and groups (`skblab down`) is left to an administrator.
 *
 * The lab id is checked first (isLabId): a prefix is a pattern, and `*`, `..` or an empty id would grant
 * more than one lab. The trailing `.` matters as much: lab ids have no `.`, so `skblab.a.` is no prefix of
 * `skblab.ab.…`'s topics, nor `a.` of lab `ab`'s groups.
 */
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  type AclEntry,
  type Admin,
} from 'kafkajs';
import { LAB_ID_RULE, isLabId } from '@skblab/contracts';

/** The prefix of a lab's topics (`skblab.<lab>.<hop>`, `skblab.<lab>.dead-letter`). */
export const labTopicPrefix = (labId: string) => `skblab.${checkedLab(labId)}.`;
/** The prefix of a lab's consumer groups (`<lab>.<service>`). */
export const labGroupPrefix = (labId: string) => `${checkedLab(labId)}.`;

/**
 * The instructor's consumer groups. No lab's groups start with it (a lab id cannot start with `_`), so
 * the instructor, who may read every lab's topics, never joins a lab's group: that would take partitions
 * from the lab's own services.
 */
export const INSTRUCTOR_GROUP_PREFIX = '_instructor.';

export class LabAclError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabAclError';
  }
}

function checkedLab(labId: unknown): string {
  if (!isLabId(labId)) {
    const shown = typeof labId === 'string' && labId.length > 70 ? `${labId.slice(0, 60)}…` : labId;
    throw new LabAclError(`invalid lab id ${JSON.stringify(shown)}: a lab id is ${LAB_ID_RULE}`);
  }
  return labId;
}

// A Kafka principal of a SASL user. No `*`: `User:*` is every user, and would open the lab to all.
const PRINCIPAL = /^User:[A-Za-z0-9][A-Za-z0-9._@-]{0,254}$/;

function checkedPrincipal(principal: unknown): string {
  if (typeof principal !== 'string' || !PRINCIPAL.test(principal))
    throw new LabAclError(
      `invalid principal ${JSON.stringify(principal)}: expected User:<name> (letters, digits, '.', '_', '@', '-')`,
    );
  return principal;
}

export interface GrantOptions {
  /**
   * Whether the user may create the lab's topics (default true: a lab started by its user, as `skblab up`
   * or the in-process lab do, creates them). A class whose control service makes the topics can say false:
   * the student then cannot add topics under the lab's prefix.
   */
  createTopics?: boolean;
}

const { READ, WRITE, DESCRIBE, CREATE } = AclOperationTypes;

function entries(
  resourceType: AclResourceTypes,
  resourceName: string,
  patternType: ResourcePatternTypes,
  principal: string,
  operations: AclOperationTypes[],
): AclEntry[] {
  return operations.map((operation) => ({
    resourceType,
    resourceName,
    resourcePatternType: patternType,
    principal,
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  }));
}

/** The ACLs that give `principal` (User:<name>) the lab `labId`, and nothing else. */
export function labAcls(labId: string, principal: string, opts: GrantOptions = {}): AclEntry[] {
  const topics = labTopicPrefix(labId);
  const groups = labGroupPrefix(labId);
  const who = checkedPrincipal(principal);
  const { TOPIC, GROUP } = AclResourceTypes;
  return [
    ...entries(TOPIC, topics, ResourcePatternTypes.PREFIXED, who, [
      READ,
      WRITE,
      DESCRIBE,
      ...(opts.createTopics === false ? [] : [CREATE]),
    ]),
    ...entries(GROUP, groups, ResourcePatternTypes.PREFIXED, who, [READ, DESCRIBE]),
  ];
}

/**
 * The instructor's ACLs: read every lab (topics prefixed `skblab.`) with groups of their own
 * (INSTRUCTOR_GROUP_PREFIX), and describe every group (which lab's service lags, as a stalled shell asks).
 * Read-only on purpose, rather than a super user: the instructor's credentials are used in a shell, and a
 * super user could also write into and delete any lab, create users and change ACLs. Administering the
 * class (users, ACLs, topics) is a separate super user's job.
 */
export function instructorAcls(principal: string): AclEntry[] {
  const who = checkedPrincipal(principal);
  const { TOPIC, GROUP } = AclResourceTypes;
  const { PREFIXED, LITERAL } = ResourcePatternTypes;
  return [
    ...entries(TOPIC, 'skblab.', PREFIXED, who, [READ, DESCRIBE]),
    ...entries(GROUP, INSTRUCTOR_GROUP_PREFIX, PREFIXED, who, [READ, DESCRIBE]),
    ...entries(GROUP, '*', LITERAL, who, [DESCRIBE]),
  ];
}

/** Gives `principal` the lab (admin: a kafkajs admin connected as a super user, or one allowed ALTER on the cluster). */
export async function grantLab(
  admin: Admin,
  labId: string,
  principal: string,
  opts: GrantOptions = {},
): Promise<void> {
  await admin.createAcls({ acl: labAcls(labId, principal, opts) });
}

/** Takes the lab from `principal`: every ACL of theirs on the lab's two prefixes, whatever its operation. */
export async function revokeLab(admin: Admin, labId: string, principal: string): Promise<number> {
  const who = checkedPrincipal(principal);
  return deleteAcls(admin, [
    filter(AclResourceTypes.TOPIC, labTopicPrefix(labId), ResourcePatternTypes.PREFIXED, who),
    filter(AclResourceTypes.GROUP, labGroupPrefix(labId), ResourcePatternTypes.PREFIXED, who),
  ]);
}

export async function grantInstructor(admin: Admin, principal: string): Promise<void> {
  await admin.createAcls({ acl: instructorAcls(principal) });
}

export async function revokeInstructor(admin: Admin, principal: string): Promise<number> {
  const who = checkedPrincipal(principal);
  const { TOPIC, GROUP } = AclResourceTypes;
  const { PREFIXED, LITERAL } = ResourcePatternTypes;
  return deleteAcls(admin, [
    filter(TOPIC, 'skblab.', PREFIXED, who),
    filter(GROUP, INSTRUCTOR_GROUP_PREFIX, PREFIXED, who),
    filter(GROUP, '*', LITERAL, who),
  ]);
}

function filter(
  resourceType: AclResourceTypes,
  resourceName: string,
  resourcePatternType: ResourcePatternTypes,
  principal: string,
) {
  return {
    resourceType,
    resourceName,
    resourcePatternType,
    principal,
    host: '*',
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  };
}

/** Deletes what the filters match; resolves how many ACLs went. */
async function deleteAcls(admin: Admin, filters: ReturnType<typeof filter>[]): Promise<number> {
  const r = await admin.deleteAcls({ filters });
  const failed = r.filterResponses.find((f) => f.errorCode !== 0);
  if (failed)
    throw new LabAclError(`deleting ACLs failed: ${failed.errorMessage ?? `error ${failed.errorCode}`}`);
  return r.filterResponses.reduce((n, f) => n + f.matchingAcls.length, 0);
}
