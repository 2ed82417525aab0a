/**
 * Distributed mode: the lab did not settle (an skb handed to a service that does not answer, a timer a
 * service does not fire) within the wait. Its message says which service, for how long, and what to do;
 * it is for the user as it is (no stack): the shell ends the script with it, an interactive shell prints
 * it and goes on.
 */
export class LabStalledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabStalledError';
  }
}
