// SPDX-License-Identifier: GPL-2.0
/*
 * collectors/container_filter.c: creates the shared container filter maps once and hands
 * them to every BPF object that declares them (bpf/container_filter.bpf.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/container_filter.h"
#include "container_filter.h"
#include "core/containers.h"

static int config_fd = -1, ids_fd = -1, charge_fd = -1;
static struct container_filter_config current;
static uint64_t *loaded_ids;
static size_t nloaded;

static int config_write(void)
{
	__u32 zero = 0;

	return bpf_map_update_elem(config_fd, &zero, &current, BPF_ANY) ? -errno : 0;
}

static int filter_maps_create(void)
{
	int err;

	if (config_fd >= 0)
		return 0;
	config_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "container_filte", sizeof(__u32),
				   sizeof(struct container_filter_config), 1, NULL);
	ids_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "container_filte", sizeof(__u64), sizeof(__u8),
				CONTAINER_FILTER_IDS, NULL);
	charge_fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "container_charg",
				   sizeof(__u64), sizeof(__u64), CONTAINER_CHARGE_ENTRIES, NULL);
	if (config_fd < 0 || ids_fd < 0 || charge_fd < 0) {
		err = -errno;
		container_filter_release();
		return err;
	}
	/* the hierarchy that identifies containers, before the first program loads: counts
	 * are tagged with their cgroup from the first one, so those of a process that exits
	 * before the first tick still find its container */
	if (containers_init() == 0)
		current.identity = containers_identity();
	err = config_write();
	if (err)
		return err;
	/* a container chosen with -c is in the maps before the first program loads */
	containers_set_filter_hook(container_filter_set);
	return 0;
}

static int reuse_one(struct bpf_object *obj, const char *name, int fd)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	if (!map)
		return 0;
	return bpf_map__reuse_fd(map, fd);
}

int container_filter_reuse(struct bpf_object *obj)
{
	int err = filter_maps_create();

	if (!err)
		err = reuse_one(obj, "container_filter_config", config_fd);
	if (!err)
		err = reuse_one(obj, "container_filter_ids", ids_fd);
	if (!err)
		err = reuse_one(obj, "container_charged_ns", charge_fd);
	return err;
}

int container_filter_map_fds(int fds[3])
{
	int err = filter_maps_create();

	fds[0] = config_fd;
	fds[1] = ids_fd;
	fds[2] = charge_fd;
	return err;
}

static int compare_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ids sorted: a selection and the map hold up to 4 096 each, compared every refresh */
static bool id_in(const uint64_t *sorted, size_t n, uint64_t id)
{
	return n && bsearch(&id, sorted, n, sizeof(id), compare_id);
}

/* Delete from the map the held ids not in want (sorted); kept: those still held */
static int delete_stale(uint64_t *held, size_t *nheld, const uint64_t *want, size_t nwant)
{
	size_t kept = 0;
	int err = 0;

	for (size_t i = 0; i < *nheld; i++) {
		if (!err && !id_in(want, nwant, held[i])) {
			if (bpf_map_delete_elem(ids_fd, &held[i]) == 0 || errno == ENOENT)
				continue;
			err = -errno;
		}
		held[kept++] = held[i];
	}
	*nheld = kept;
	return err;
}

/*
 * New ids first, then the mode, then stale ids out: no instant lets nothing through that
 * should pass, and a cgroup that left the set stops matching at the end. When the old and
 * the new ids do not fit in the map together, the stale ones go first (the old selection
 * ends now; the new one may miss what its cgroups do until its ids are in). A write that
 * fails stops there (a failed add before the mode changes: the old selection stays whole)
 * and its -errno goes up; loaded_ids keeps what the map holds, so the next call (the
 * caller tries again while it fails) picks up where this one stopped.
 */
int container_filter_set(uint32_t mode, const uint64_t *ids, size_t nids)
{
	__u8 yes = 1;
	uint64_t *held, *want; /* what the map holds; the ids asked for, sorted */
	size_t nheld = nloaded, nnew = 0, nsorted;
	int err = filter_maps_create();

	if (err)
		return err;
	if (nids > CONTAINER_FILTER_IDS)
		nids = CONTAINER_FILTER_IDS;
	held = malloc((nloaded + nids > 0 ? nloaded + nids : 1) * sizeof(*held));
	want = malloc((nids ? nids : 1) * sizeof(*want));
	if (!held || !want) {
		free(held);
		free(want);
		return -ENOMEM;
	}
	if (nloaded)
		memcpy(held, loaded_ids, nloaded * sizeof(*held));
	if (nids)
		memcpy(want, ids, nids * sizeof(*want));
	qsort(want, nids, sizeof(*want), compare_id);
	qsort(held, nheld, sizeof(*held), compare_id);
	for (size_t i = 0; i < nids; i++)
		nnew += !id_in(held, nloaded, want[i]) && (i == 0 || want[i] != want[i - 1]);
	if (nheld + nnew > CONTAINER_FILTER_IDS)
		err = delete_stale(held, &nheld, want, nids);
	nsorted = nheld; /* held[0..nsorted) stays sorted while ids are appended */
	for (size_t i = 0; i < nids && !err; i++) {
		if (id_in(held, nsorted, want[i]) || (i && want[i] == want[i - 1]))
			continue;
		if (bpf_map_update_elem(ids_fd, &want[i], &yes, BPF_ANY))
			err = -errno;
		else
			held[nheld++] = want[i];
	}
	if (!err) {
		current.mode = mode;
		current.generation++; /* cached verdicts in task storage are stale now */
		err = config_write();
	}
	/* stale ids out, once the mode is written; one that cannot be deleted is kept */
	if (!err)
		err = delete_stale(held, &nheld, want, nids);
	free(want);
	free(loaded_ids);
	loaded_ids = held;
	nloaded = nheld;
	return err;
}

int container_filter_set_identity(uint32_t identity)
{
	int err = filter_maps_create();

	if (err)
		return err;
	current.identity = identity;
	return config_write();
}

int container_filter_ids_fd(void)
{
	int err = filter_maps_create();

	return err ? err : ids_fd;
}

int container_filter_charge_fd(void)
{
	int err = filter_maps_create();

	return err ? err : charge_fd;
}

void container_filter_release(void)
{
	if (config_fd >= 0)
		containers_set_filter_hook(NULL);
	if (config_fd >= 0)
		close(config_fd);
	if (ids_fd >= 0)
		close(ids_fd);
	if (charge_fd >= 0)
		close(charge_fd);
	config_fd = ids_fd = charge_fd = -1;
	free(loaded_ids);
	loaded_ids = NULL;
	nloaded = 0;
}
