# tests/workloads/tasklet_netns.sh: a private network namespace where every IPv4 packet on
# lo goes through an ifb device, so each one schedules ifb_ri_tasklet. Source it.
#   tasklet_netns_up NETNS IFB    create (returns non-zero with a message on stderr)
#   tasklet_netns_down NETNS      delete it and everything in it (safe to call twice)
#   tasklet_ifb_rx NETNS IFB      packets the ifb device has received

tasklet_netns_up() {
	local ns=$1 ifb=$2
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up &&
		ip -n "$ns" link add "$ifb" type ifb &&
		ip -n "$ns" link set "$ifb" up &&
		ip netns exec "$ns" tc qdisc add dev lo ingress &&
		ip netns exec "$ns" tc filter add dev lo parent ffff: protocol ip u32 \
			match u32 0 0 action mirred egress redirect dev "$ifb"
}

tasklet_netns_down() {
	ip netns del "$1" 2>/dev/null || true
}

tasklet_ifb_rx() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"
}
