/** @skblab/contracts: what crosses a process boundary (distributed mode): the skb envelope and the hop map. */
export * from './skb-codec';
export * from './layers';
export * from './lab-id';
