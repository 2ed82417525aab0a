/** @skblab/contracts: what crosses a process boundary (distributed mode): the skb envelope codec. */
export * from './skb-codec';
