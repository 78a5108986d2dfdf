// SPDX-License-Identifier: GPL-2.0
/*
 * collectors/container_filter.c: creates the shared container filter maps once and hands
 * them to every BPF object that declares them (bpf/container_filter.bpf.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
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

static int filter_maps_create(void)
{
	__u32 zero = 0;

	if (config_fd >= 0)
		return 0;
	config_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "container_filte", sizeof(__u32),
				   sizeof(struct container_filter_config), 1, NULL);
	ids_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "container_filte", sizeof(__u64), sizeof(__u8),
				CONTAINER_FILTER_IDS, NULL);
	charge_fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "container_charg",
				   sizeof(__u64), sizeof(__u64), CONTAINER_CHARGE_ENTRIES, NULL);
	if (config_fd < 0 || ids_fd < 0 || charge_fd < 0) {
		int err = -errno;

		container_filter_release();
		return err;
	}
	/* the hierarchy that identifies containers, before the first program loads: counts
	 * are tagged with their cgroup from the first one, so those of a process that exits
	 * before the first tick still find its container */
	if (containers_init() == 0)
		current.identity = containers_identity();
	if (bpf_map_update_elem(config_fd, &zero, &current, BPF_ANY))
		return -errno;
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

static int config_write(void)
{
	__u32 zero = 0;

	return bpf_map_update_elem(config_fd, &zero, &current, BPF_ANY) ? -errno : 0;
}

static bool id_in(const uint64_t *ids, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int container_filter_set(uint32_t mode, const uint64_t *ids, size_t nids)
{
	__u8 yes = 1;
	uint64_t *copy;
	int err = filter_maps_create();

	if (err)
		return err;
	if (nids > CONTAINER_FILTER_IDS)
		nids = CONTAINER_FILTER_IDS;
	copy = malloc((nids ? nids : 1) * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	/* new ids first, then the mode, then stale ids out: no instant lets nothing through
	 * that should pass, and a cgroup that left the set stops matching at the end */
	for (size_t i = 0; i < nids; i++) {
		copy[i] = ids[i];
		if (!id_in(loaded_ids, nloaded, ids[i]))
			bpf_map_update_elem(ids_fd, &ids[i], &yes, BPF_ANY);
	}
	current.mode = mode;
	current.generation++; /* cached verdicts in task storage are stale now */
	err = config_write();
	for (size_t i = 0; i < nloaded; i++)
		if (!id_in(copy, nids, loaded_ids[i]))
			bpf_map_delete_elem(ids_fd, &loaded_ids[i]);
	free(loaded_ids);
	loaded_ids = copy;
	nloaded = nids;
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
