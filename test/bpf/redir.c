/* bpf_redir: hand each sendmsg to the peer socket's ingress queue (the peer is keyed by the reversed tuple). */
#include "sockmap.h"

SEC("sk_msg")
int bpf_redir(struct sk_msg_md *msg)
{
	struct sock_key key = {};

	key.sip = msg->remote_ip4;
	key.dip = msg->local_ip4;
	key.sport = bpf_ntohl(msg->remote_port);
	key.dport = msg->local_port;
	return bpf_msg_redirect_hash(msg, &sock_ops_map, &key, BPF_F_INGRESS);
}
