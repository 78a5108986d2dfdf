/* SPDX-License-Identifier: GPL-2.0 */
/* core/config.h: ktop's settings, from defaults, the config file and the command line. */
#ifndef KTOP_CORE_CONFIG_H
#define KTOP_CORE_CONFIG_H

#include <stdbool.h>

enum output_mode { OUTPUT_SCREEN, OUTPUT_TEXT, OUTPUT_JSON, OUTPUT_PROMETHEUS, OUTPUT_OPENMETRICS };

#define CONFIG_NAME_MAX 32
#define CONFIG_LIST_MAX 256
#define CONFIG_MAX_KEYS 64

#define CONFIG_MAX_SETTINGS 32 /* of all collectors together */

struct option_def;

/* The value of a collector's setting, of its option_def's type */
union config_value {
	bool on;                    /* OPTION_BOOL */
	unsigned int count;         /* OPTION_UINT */
	double number;              /* OPTION_DOUBLE */
	char text[CONFIG_LIST_MAX]; /* OPTION_STRING, OPTION_LIST */
};

/* One setting a collector declares, as the config file or the command line set it */
struct config_setting {
	const struct option_def *def;
	union config_value value;
};

/* One [keys] line: an action name and its keys as written ("q, F10") */
struct config_key {
	char action[CONFIG_NAME_MAX + 1];
	char keys[96];
};

struct ktop_config {
	double interval_s;     /* -d */
	long frames;           /* -n, 0 = until stopped */
	enum output_mode output;
	unsigned int history;  /* frames kept in the sample buffer */
	const char *log_file;  /* --log: libbpf's output goes here */
	const char *container; /* -c */
	bool check;            /* --check */
	/* record and replay (core/record.c, core/replay.c) */
	const char *record_file;  /* -w FILE */
	const char *replay_file;  /* -r FILE */
	bool record_only;         /* --record-only: no output */
	unsigned long long record_max_size; /* --record-max-size, bytes, 0 = no rotation */
	double record_max_age_s;  /* --record-max-age, 0 = no rotation */
	unsigned int record_keep; /* --record-keep: rotated files kept, 0 = 10 */
	bool ascii;            /* force ASCII drawing */
	bool mouse;            /* [general] mouse, --no-mouse: clicks and the wheel on the screen */
	/* from the options table (core/options.c) and the command line */
	char theme[CONFIG_NAME_MAX + 1];    /* [general] theme, --theme */
	char panes[CONFIG_LIST_MAX];        /* [general] panes: table ids, in order */
	char syscall_sort[CONFIG_NAME_MAX + 1]; /* [syscalls] sort: a column id (the pane's) */
	/* the settings collectors declare (collector_ops.options) that were set; the others
	 * are at their default. Read them with options_bool(), options_uint()... */
	struct config_setting settings[CONFIG_MAX_SETTINGS];
	unsigned int nsettings;
	struct config_key keys[CONFIG_MAX_KEYS]; /* [keys]: remapped actions */
	unsigned int nkeys;
	const char *config_file; /* --config FILE */
	bool no_config_file;     /* --defaults: compiled-in settings only */
	bool dump_config;        /* --dump-config */
	bool list_actions;       /* --list-actions */
	/* the exporter (core/openmetrics.c, export/, docs/EXPORTER.md) */
	const char *listen;      /* --listen ADDR:PORT: serve /metrics, no screen */
	const char *web_config;  /* --web-config FILE: TLS and basic auth */
	unsigned int export_containers; /* [export] containers: with series of their own */
	unsigned int export_histograms; /* [export] histograms: rows per table with one */
	unsigned int export_max_series; /* [export] max_series: per exposition */
	unsigned int export_connections; /* [export] connections: at once */
	unsigned int export_timeout_s;  /* [export] timeout: idle connections closed */
};

void config_defaults(struct ktop_config *cfg);
/* Is table id in [general] panes? (an empty list means every pane) */
bool config_pane_listed(const struct ktop_config *cfg, const char *id);

#endif
