/**
 * @skblab/topology: topology files (YAML) parsed and validated into plain specs (hosts with their CPUs,
 * NICs, routes, sysctls and boot commands; wires with netem-style impairments), every value with the
 * FILE:LINE:COL it was written at; and topologies built in code (the default two-host lab, racks of hosts).
 * The format is described in docs/topology.md.
 */
export type { FieldPos, HostSpec, NicSpec, Pos, TopologySpec, WireSpec } from './spec';
export { at, isTopologyError, loadTopologyFile, parseTopology, type TopologyError } from './parse';
export { DEFAULTS, HOST_NAME, LIMITS, NIC_NAME } from './limits';
export { defaultTopology, racksTopology } from './generate';
export { formatTopology } from './format';
export { formatTcRate, formatTcTime, parsePercent, parseTcRate, parseTcTime } from './units';
