/* bpf_sockops: add every established IPv4 TCP socket on 127.0.0.1 to sock_ops_map, keyed by its 4-tuple. */
#include "sockmap.h"

SEC("sockops")
int bpf_sockops(struct bpf_sock_ops *skops)
{
	struct sock_key key = {};

	if (skops->family != 2 /* AF_INET */)
		return 0;
	if (skops->op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB &&
	    skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 0;
	/* 127.0.0.1 at both ends: the side-car's localhost hop. */
	if (skops->local_ip4 != bpf_htonl(0x7f000001) || skops->remote_ip4 != bpf_htonl(0x7f000001))
		return 0;
	key.sip = skops->local_ip4;
	key.dip = skops->remote_ip4;
	key.sport = skops->local_port;
	key.dport = bpf_ntohl(skops->remote_port);
	bpf_sock_hash_update(skops, &sock_ops_map, &key, BPF_NOEXIST);
	return 0;
}
