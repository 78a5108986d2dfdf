// SPDX-License-Identifier: GPL-2.0
/*
 * core/loop.c: the one loop. poll() on a timerfd (the tick), a signalfd, stdin (when the
 * sink reads keys) and the collectors' event fds. No threads, no locks.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "containers.h"
#include "fault.h"
#include "ktop.h"
#include "proc.h"
#include "record.h"

/* A user who just started ktop sees numbers this soon; later frames are whole intervals */
#define KTOP_FIRST_FRAME_S 0.1

static int tick_fd = -1;

double ktop_monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct timespec seconds_to_timespec(double s)
{
	return (struct timespec){ (time_t)s, (long)((s - floor(s)) * 1e9) };
}

/* The first frame comes after first_s (sooner than a whole interval: someone is waiting) */
static int arm_tick(double interval_s, double first_s)
{
	struct itimerspec its = { 0 };

	its.it_interval = seconds_to_timespec(interval_s);
	its.it_value = seconds_to_timespec(first_s < interval_s ? first_s : interval_s);
	return timerfd_settime(tick_fd, 0, &its, NULL);
}

/* A replay plays speed times faster than recorded */
static double tick_s(const struct ktop *k)
{
	return k->speed > 0 ? k->cfg.interval_s / k->speed : k->cfg.interval_s;
}

void ktop_set_interval(struct ktop *k, double interval_s)
{
	k->cfg.interval_s = interval_s;
	if (tick_fd >= 0)
		arm_tick(tick_s(k), tick_s(k));
}

void ktop_set_speed(struct ktop *k, double speed)
{
	k->speed = speed;
	if (tick_fd >= 0)
		arm_tick(tick_s(k), tick_s(k));
}

void ktop_set_focus(struct ktop *k, const struct focus *focus)
{
	k->focus = *focus;
	for (unsigned int i = 0; i < k->ncollectors; i++) {
		struct collector *c = &k->collectors[i];

		if (c->running && c->ops->focus)
			c->ops->focus(c, focus);
	}
}

void ktop_next_variant(struct ktop *k)
{
	for (unsigned int i = 0; k->focus.table && i < k->ncollectors; i++) {
		struct collector *c = &k->collectors[i];

		if (c->running && c->ops->next_variant)
			c->ops->next_variant(c, &k->focus);
	}
}

int ktop_running_collectors(const struct ktop *k)
{
	int n = 0;

	for (unsigned int i = 0; i < k->ncollectors; i++)
		n += k->collectors[i].running;
	return n;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* BPF statistics are switched on for one interval in this many: they cost per event */
#define BPF_STATS_EVERY 10

/* ktop's own cost since the last frame: CPU, memory, BPF run time, lost events */
static void sample_self(struct ktop *k, struct frame *f)
{
	struct frame_self *self = &f->self;
	uint64_t run_ns = 0, runs = 0, dropped = 0;
	double cpu = cpu_seconds();
	unsigned int phase = (unsigned int)(f->seq % BPF_STATS_EVERY);

	if (f->interval_s > 0)
		self->cpu_pct = 100.0 * (cpu - k->last_cost.cpu_s) / f->interval_s;
	k->last_cost.cpu_s = cpu;
	self->rss_kb = proc_self_rss_kb();
	if (k->bpf_stats && k->bpf_cost) {
		/* phase 1: statistics were on for this whole interval; measure and stop */
		if (phase == 1 && k->bpf_cost(&run_ns, &runs) && f->interval_s > 0) {
			k->bpf_ns_per_s = (double)(run_ns - k->last_cost.bpf_run_ns) / f->interval_s;
			k->bpf_stats(false);
		}
		/* phase 0: take the baseline and switch them on for the next interval */
		if (phase == 0 && k->bpf_stats(true) == 0)
			k->bpf_cost(&k->last_cost.bpf_run_ns, &k->last_cost.bpf_runs);
	}
	self->bpf_stats = k->bpf_ns_per_s > 0;
	self->bpf_ns_per_s = k->bpf_ns_per_s;
	for (unsigned int i = 0; i < k->ncollectors; i++)
		dropped += k->collectors[i].dropped;
	self->dropped = dropped - k->last_cost.dropped;
	k->last_cost.dropped = dropped;
}

static void sample_all(struct ktop *k)
{
	struct frame *f = history_next(&k->history);
	double now = ktop_monotonic_s();

	f->seq = ++k->frames_done;
	f->interval_s = now - k->last_sample_s;
	k->last_sample_s = now;
	clock_gettime(CLOCK_REALTIME, &f->wall);
	for (unsigned int i = 0; i < k->ncollectors; i++) {
		struct collector *c = &k->collectors[i];

		/* the state says so while samples fail, and is "ok" again once one succeeds */
		if (c->running) {
			int err = c->ops->sample(c, f);

			/* a bare -1 says no more than "failed" */
			c->sample_err = err < 0 ? (err == -1 ? -EIO : err) : 0;
		}
	}
	for (unsigned int i = 0; i < f->ntables; i++)
		table_sort(&f->tables[i], f->tables[i].schema->sort_column, false, f->interval_s);
	sample_self(k, f);
	containers_stamp_frame(f);
}

/* One tick: a frame from the collectors or the frame source, recorded, then shown */
static void tick(struct ktop *k, int *status)
{
	if (k->source) {
		if (k->source->done(k)) {
			if (!k->sink->reads_stdin)
				k->quit = true;
			return;
		}
		if (k->hold)
			return;
		k->frames_done++;
		k->source->next(k, history_next(&k->history));
	} else {
		sample_all(k);
		if (k->frames_done > 2 && fault_wanted("loop", "tick")) {
			*status = 1;
			k->quit = true;
			return;
		}
	}
	if (k->recorder && recorder_write(k->recorder, k, history_get(&k->history, 0)) < 0) {
		*status = 1;
		k->quit = true;
		return;
	}
	k->sink->frame(k);
	if (!k->hold)
		history_compact(&k->history);
	if (k->cfg.frames && k->frames_done >= (uint64_t)k->cfg.frames)
		k->quit = true;
}

void ktop_signals_block(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGQUIT);
	/* a shell starts background jobs with SIGINT and SIGQUIT ignored, and an ignored
	 * signal never reaches a signalfd: take the default back, then block them */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigprocmask(SIG_BLOCK, mask, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int ktop_loop(struct ktop *k)
{
	struct pollfd fds[3 + KTOP_MAX_COLLECTORS];
	int owner[3 + KTOP_MAX_COLLECTORS];
	sigset_t mask;
	int sig_fd, status = 0, ready;
	unsigned int nfds;
	/* converting a recording to text or JSON: as fast as it reads */
	int timeout = k->source && !k->sink->reads_stdin ? 0 : -1;

	ktop_signals_block(&mask);
	sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sig_fd < 0 || tick_fd < 0 || arm_tick(tick_s(k), KTOP_FIRST_FRAME_S) < 0)
		return 1;
	k->last_sample_s = ktop_monotonic_s();
	/* the cost of starting up is not the cost of the first interval; the first
	 * interval measures BPF run time (seq 1 is phase 1) */
	k->last_cost.cpu_s = cpu_seconds();
	if (k->bpf_stats && k->bpf_cost && k->bpf_stats(true) == 0)
		k->bpf_cost(&k->last_cost.bpf_run_ns, &k->last_cost.bpf_runs);

	while (!k->quit) {
		nfds = 0;
		fds[nfds] = (struct pollfd){ .fd = tick_fd, .events = POLLIN };
		owner[nfds++] = -1;
		fds[nfds] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		owner[nfds++] = -2;
		if (k->sink->reads_stdin) {
			fds[nfds] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
			owner[nfds++] = -3;
		}
		for (unsigned int i = 0; i < k->ncollectors; i++) {
			struct collector *c = &k->collectors[i];
			int fd;

			if (!c->running || !c->ops->event_fd || (fd = c->ops->event_fd(c)) < 0)
				continue;
			fds[nfds] = (struct pollfd){ .fd = fd, .events = POLLIN };
			owner[nfds++] = (int)i;
		}
		ready = poll(fds, nfds, timeout);
		if (ready < 0) {
			if (errno == EINTR) /* SIGWINCH: curses turns it into KEY_RESIZE */
				goto stdin_check;
			status = 1;
			break;
		}
		if (ready == 0) {
			tick(k, &status);
			continue;
		}
		for (unsigned int i = 0; i < nfds && !k->quit; i++) {
			if (!fds[i].revents)
				continue;
			if (owner[i] == -1) {
				uint64_t expirations;

				if (read(tick_fd, &expirations, sizeof(expirations)) < 0)
					continue;
				tick(k, &status);
			} else if (owner[i] == -2) {
				struct signalfd_siginfo si;

				if (read(sig_fd, &si, sizeof(si)) == sizeof(si))
					k->quit = true;
			} else if (owner[i] == -3) {
				/* the terminal hung up: nothing more will come */
				if (fds[i].revents & (POLLHUP | POLLERR | POLLNVAL))
					k->quit = true;
				else if (!k->sink->input(k))
					k->quit = true;
			} else {
				struct collector *c = &k->collectors[owner[i]];

				c->ops->consume(c);
			}
		}
		continue;
stdin_check:
		if (k->sink->reads_stdin && !k->sink->input(k))
			k->quit = true;
	}
	close(sig_fd);
	close(tick_fd);
	tick_fd = -1;
	return status;
}
