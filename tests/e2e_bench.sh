#!/usr/bin/env bash
# tests/e2e_bench.sh: a short smoke run of the benchmark harness (tools/bench.sh --quick):
# it must produce every figure. Their values are not checked: benchmarks are not tests.
. "$(dirname "$0")/lib.sh"
need_root "benchmark smoke run" || exit 0
if [ -n "${KTOP_SANITIZED:-}" ]; then
	tap_skip "benchmark smoke run" "benchmarks of a sanitizer build mean nothing; the plain build runs it"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$(dirname "$0")/.."
tools/bench.sh --quick --out "$tmp" >"$tmp/log" 2>&1
tap_check "the harness runs to the end" [ $? -eq 0 ]
j=$tmp/performance.json
for key in syscalls.bare syscalls.ktop syscalls.ktop_syscalls syscalls.ktop_lean syscalls.syscount syscalls.syscount_L \
	interrupts.udp_round_trips_per_s_without interrupts.udp_round_trips_per_s_with \
	interrupts.ns_per_softirq_run tasklets.packets_per_s_without tasklets.packets_per_s_with \
	tasklets.added_ns_per_tasklet_run critical.interrupt_ms_per_s_timer_off \
	critical.interrupt_ms_per_s_timer_on critical.getppid_ns_timer_on own.idle_cpu_pct \
	own.idle_rss_kb own.load_1M_cpu_pct own.load_1M_rss_kb own.churn_rss_kb own.churn_processes_per_s bpf_maps_kb first_frame_s \
	terminal.ktop_bytes_per_s terminal.htop_bytes_per_s terminal.sizes.80x24.ktop_bytes_per_s \
	terminal.sizes.120x40.htop_bytes_per_s terminal.sizes.200x50.ktop_bytes_per_s \
	terminal.sizes.300x80.ktop_bytes_per_s tick_ms_10k_processes_1k_containers; do
	tap_check "figure $key is there" jqt --arg k "$key" 'getpath($k | split(".")) != null' "$j"
done
tap_check "PERFORMANCE.md has all six sections" [ "$(grep -c '^## [1-6]\.' "$tmp/PERFORMANCE.md")" -eq 6 ]
