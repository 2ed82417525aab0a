/**
 * A lab id: it names the lab's Kafka topics (`skblab.<lab>.<hop>`) and consumer groups (`<lab>.<service>`),
 * its Redis keys (`skblab:<lab>:`) and its Kubernetes namespace in a class. One rule for every place an id
 * enters (the CLI, a service's environment, a class roster), so that none of them lets through a `*`, `:`,
 * `..` or a 1,000-character id that another would refuse.
 */
export const LAB_ID_MAX = 63;

/** What a lab id may be, in words, for error messages. */
export const LAB_ID_RULE = `1-${LAB_ID_MAX} lower-case letters, digits or '-', starting with a letter or digit`;

const LAB_ID = new RegExp(`^[a-z0-9][a-z0-9-]{0,${LAB_ID_MAX - 1}}$`);

export function isLabId(id: unknown): id is string {
  return typeof id === 'string' && LAB_ID.test(id);
}
