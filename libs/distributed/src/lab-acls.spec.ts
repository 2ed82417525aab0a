import { AclOperationTypes as Op, AclResourceTypes as Res, ResourcePatternTypes as Pat } from 'kafkajs';
import { INSTRUCTOR_GROUP_PREFIX, instructorAcls, labAcls, labGroupPrefix, labTopicPrefix } from './lab-acls';

// kafkajs's enums are plain objects at run time (no reverse mapping): names by value.
const nameOf = (e: object, v: number) => Object.entries(e).find(([, x]) => x === v)?.[0];
const rows = (acls: ReturnType<typeof labAcls>) =>
  acls.map((a) => [
    nameOf(Res, a.resourceType),
    nameOf(Pat, a.resourcePatternType),
    a.resourceName,
    nameOf(Op, a.operation),
  ]);

describe('labAcls', () => {
  it("gives a lab's user its topics and groups, by prefixes that end with the separator", () => {
    expect(labTopicPrefix('class1-alice')).toBe('skblab.class1-alice.');
    expect(labGroupPrefix('class1-alice')).toBe('class1-alice.');
    const acls = labAcls('la', 'User:alice');
    expect(rows(acls)).toEqual([
      ['TOPIC', 'PREFIXED', 'skblab.la.', 'READ'],
      ['TOPIC', 'PREFIXED', 'skblab.la.', 'WRITE'],
      ['TOPIC', 'PREFIXED', 'skblab.la.', 'DESCRIBE'],
      ['TOPIC', 'PREFIXED', 'skblab.la.', 'CREATE'],
      ['GROUP', 'PREFIXED', 'la.', 'READ'],
      ['GROUP', 'PREFIXED', 'la.', 'DESCRIBE'],
    ]);
    expect(acls.every((a) => a.principal === 'User:alice' && a.host === '*')).toBe(true);
  });

  it('can leave topic creation to someone else', () => {
    expect(rows(labAcls('la', 'User:alice', { createTopics: false })).map((r) => r[3])).not.toContain(
      'CREATE',
    );
  });

  it('refuses a lab id that would widen the prefix, and a principal that is not one user', () => {
    for (const bad of ['*', 'a:b', '..', 'x'.repeat(1000), '', 'La', 'a.b', 'a*', 7, undefined])
      expect(() => labAcls(bad as string, 'User:alice')).toThrow(/^invalid lab id .*: a lab id is 1-63/);
    expect(() => labAcls('x'.repeat(1000), 'User:alice')).toThrow(/^invalid lab id "x{60}…"/);
    for (const bad of ['User:*', '*', 'alice', 'User:', 'Group:x', 'User:a b'])
      expect(() => labAcls('la', bad)).toThrow(/^invalid principal/);
  });
});

describe('instructorAcls', () => {
  it("reads every lab's topics, joins only groups no lab has, and describes every group", () => {
    expect(rows(instructorAcls('User:teacher'))).toEqual([
      ['TOPIC', 'PREFIXED', 'skblab.', 'READ'],
      ['TOPIC', 'PREFIXED', 'skblab.', 'DESCRIBE'],
      ['GROUP', 'PREFIXED', INSTRUCTOR_GROUP_PREFIX, 'READ'],
      ['GROUP', 'PREFIXED', INSTRUCTOR_GROUP_PREFIX, 'DESCRIBE'],
      ['GROUP', 'LITERAL', '*', 'DESCRIBE'],
    ]);
    // No lab id can start the instructor's group prefix.
    expect(() => labGroupPrefix(INSTRUCTOR_GROUP_PREFIX.slice(0, -1))).toThrow(/invalid lab id/);
  });
});
