/**
 * What makes a lab exist for services and shells to join: its topics, and (unless one is published
 * already) the default topology with its hosts' boot configuration in the config log. Each boot line is
 * run here in a view of its own and goes to the log with the random state it ran from, as a shell's lines
 * do; every service replays it. Used for the one lab of a lab deployment and for each lab of a class.
 */
import type { DistributedNode } from '@skblab/distributed';
import { KEYS } from '@skblab/distributed';
import { Lab, buildHardware, type ConfigRecord } from '@skblab/runtime';
import { bootTopology } from '@skblab/shell';
import { defaultTopology } from '@skblab/topology';
import { defaultCommands } from '@skblab/userland';

/** Returns the lab's topology (as published). */
export async function newLab(node: DistributedNode): Promise<unknown> {
  await node.createTopics();
  if (!(await node.redis.get(KEYS.topology))) {
    const spec = defaultTopology();
    const lab = new Lab();
    buildHardware(lab, spec);
    const records: ConfigRecord[] = [];
    lab.onConfig = (r) => records.push(r);
    const err = await bootTopology(lab, spec, defaultCommands());
    if (err) throw new Error(err);
    // The log before the topology: a service that sees the topology finds the boot configuration too.
    await node.config.append(records);
    await node.publishTopology(spec);
  }
  return JSON.parse((await node.redis.get(KEYS.topology)) ?? 'null');
}
