// SPDX-License-Identifier: GPL-2.0
/*
 * ui/keys.c: key names and key bindings. The action table (ui/actions.c) gives each action
 * its default keys; the config's [keys] section rebinds them by action name. Nothing here
 * calls curses (curses.h only names the keys), so main can check a config file and print
 * the bindings before the screen starts.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/options.h"
#include "ui.h"
#include "ui_internal.h"

#define KEY_ESCAPE 27

static const struct key_name {
	const char *name;
	int code;
} key_names[] = {
	{ "Enter", '\r' }, { "Enter", '\n' }, { "Enter", KEY_ENTER },
	{ "Tab", '\t' }, { "Shift-Tab", KEY_BTAB }, { "Space", ' ' }, { "Esc", KEY_ESCAPE },
	{ "Backspace", KEY_BACKSPACE }, { "Backspace", 127 },
	{ "Up", KEY_UP }, { "Down", KEY_DOWN }, { "Left", KEY_LEFT }, { "Right", KEY_RIGHT },
	{ "PgUp", KEY_PPAGE }, { "PgDn", KEY_NPAGE }, { "Home", KEY_HOME }, { "End", KEY_END },
	{ "Insert", KEY_IC }, { "Delete", KEY_DC },
	{ "Comma", ',' }, { "Semicolon", ';' }, { "Hash", '#' },
};

#define NKEY_NAMES (sizeof(key_names) / sizeof(key_names[0]))

static int key_bindings[UI_MAX_ACTIONS][UI_ACTION_KEYS];

/* The codes one key name stands for ("Enter" is three); returns how many, 0 if unknown */
static unsigned int key_parse(const char *name, int codes[3])
{
	unsigned int n = 0;

	for (size_t i = 0; i < NKEY_NAMES && n < 3; i++)
		if (strcasecmp(key_names[i].name, name) == 0)
			codes[n++] = key_names[i].code;
	if (n)
		return n;
	if (name[0] > ' ' && name[0] < 127 && name[0] != ',' && !name[1])
		return codes[0] = name[0], 1;
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		int f = name[1] - '0';

		if (name[2] >= '0' && name[2] <= '9' && !name[3])
			f = f * 10 + name[2] - '0';
		else if (name[2])
			return 0;
		if (f >= 1 && f <= 12)
			return codes[0] = KEY_F(f), 1;
		return 0;
	}
	if (strncasecmp(name, "Ctrl-", 5) == 0 && name[5] && !name[6]) {
		char c = name[5] | 0x20;

		if (c >= 'a' && c <= 'z')
			return codes[0] = c & 0x1f, 1;
	}
	return 0;
}

const char *ui_key_label(int key, char *buf, size_t len)
{
	for (size_t i = 0; i < NKEY_NAMES; i++)
		if (key_names[i].code == key)
			return key_names[i].name;
	if (key > ' ' && key < 127)
		snprintf(buf, len, "%c", key);
	else if (key > 0 && key < ' ')
		snprintf(buf, len, "Ctrl-%c", key + '@');
	else if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, len, "F%d", key - KEY_F0);
	else
		snprintf(buf, len, "key%d", key);
	return buf;
}

static int ui_action_index(const char *name)
{
	for (unsigned int i = 0; i < ui_action_count; i++)
		if (strcmp(ui_actions[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Parse "q, F10" into codes; -1 with "what; expected ..." in err */
static int keys_parse_list(const char *list, int *codes, unsigned int max, char *err,
			   size_t errlen)
{
	char buf[128], *save = NULL;
	unsigned int n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *word = strtok_r(buf, ", \t", &save); word; word = strtok_r(NULL, ", \t", &save)) {
		int c[3];
		unsigned int got = key_parse(word, c);

		if (!got) {
			snprintf(err, errlen, "unknown key '%s'; expected a character or a key name "
				 "(Enter, Esc, Up, PgDn, F1..F12, Ctrl-A..Ctrl-Z, Comma, Space...)",
				 word);
			return -1;
		}
		for (unsigned int i = 0; i < got; i++) {
			if (n >= max) {
				snprintf(err, errlen, "too many keys in '%s'; expected at most %u",
					 list, max);
				return -1;
			}
			codes[n++] = c[i];
		}
	}
	if (!n) {
		snprintf(err, errlen, "no key given; expected one or more keys separated by "
			 "commas");
		return -1;
	}
	return (int)n;
}

static int keys_check(const char *action, const char *keys, char *err, size_t errlen)
{
	int codes[UI_ACTION_KEYS];

	if (ui_action_index(action) < 0) {
		snprintf(err, errlen, "unknown action '%s' in [keys]; expected one of:", action);
		for (unsigned int i = 0; i < ui_action_count; i++) {
			size_t used = strlen(err);

			snprintf(err + used, errlen - used, " %s", ui_actions[i].name);
		}
		return -1;
	}
	return keys_parse_list(keys, codes, UI_ACTION_KEYS - 1, err, errlen) < 0 ? -1 : 0;
}

static bool bound_elsewhere(const struct ktop_config *cfg, int key)
{
	char err[256];

	for (unsigned int i = 0; i < cfg->nkeys; i++) {
		int codes[UI_ACTION_KEYS], n;

		n = keys_parse_list(cfg->keys[i].keys, codes, UI_ACTION_KEYS - 1, err, sizeof(err));
		for (int j = 0; j < n; j++)
			if (codes[j] == key)
				return true;
	}
	return false;
}

/*
 * Bind every action: those named in [keys] get exactly those keys; the others keep their
 * default keys except the ones [keys] gave away. Each list ends with 0.
 */
void ui_keys_bind(const struct ktop_config *cfg)
{
	char err[256];

	memset(key_bindings, 0, sizeof(key_bindings));
	for (unsigned int i = 0; i < ui_action_count && i < UI_MAX_ACTIONS; i++) {
		const struct config_key *remap = NULL;
		unsigned int n = 0;

		for (unsigned int j = 0; j < cfg->nkeys; j++)
			if (strcmp(cfg->keys[j].action, ui_actions[i].name) == 0)
				remap = &cfg->keys[j];
		if (remap) {
			int got = keys_parse_list(remap->keys, key_bindings[i], UI_ACTION_KEYS - 1,
						  err, sizeof(err));

			if (got < 0)
				key_bindings[i][0] = 0;
			continue;
		}
		for (unsigned int j = 0; j < UI_ACTION_KEYS && ui_actions[i].keys[j]; j++)
			if (!bound_elsewhere(cfg, ui_actions[i].keys[j]))
				key_bindings[i][n++] = ui_actions[i].keys[j];
	}
}

int ui_keys_action(int key)
{
	for (unsigned int i = 0; i < ui_action_count && i < UI_MAX_ACTIONS; i++)
		for (unsigned int j = 0; j < UI_ACTION_KEYS && key_bindings[i][j]; j++)
			if (key_bindings[i][j] == key)
				return (int)i;
	return -1;
}

int ui_keys_position(unsigned int action, int key)
{
	for (unsigned int j = 0; j < UI_ACTION_KEYS && key_bindings[action][j]; j++)
		if (key_bindings[action][j] == key)
			return (int)j;
	return -1;
}

/* The keys bound to action i as labels, each name once: "Enter", "Esc, Backspace, Left" */
const char *ui_keys_labels(unsigned int action, const char *sep, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int j = 0; j < UI_ACTION_KEYS && key_bindings[action][j] && used < len; j++) {
		char one[16];
		const char *label = ui_key_label(key_bindings[action][j], one, sizeof(one));
		bool seen = false;

		for (unsigned int p = 0; p < j; p++) {
			char other[16];

			seen |= strcmp(ui_key_label(key_bindings[action][p], other, sizeof(other)),
				       label) == 0;
		}
		if (!seen)
			used += snprintf(buf + used, len - used, "%s%s", used ? sep : "", label);
	}
	return buf;
}

static void keys_dump(FILE *out, const struct ktop_config *cfg)
{
	char keys[128];

	ui_keys_bind(cfg);
	for (unsigned int i = 0; i < ui_action_count && i < UI_MAX_ACTIONS; i++) {
		fprintf(out, "# %s\n", ui_actions[i].help);
		ui_keys_labels(i, ", ", keys, sizeof(keys));
		/* an action left with no key is written commented out: it has no valid value */
		fprintf(out, "%s%s = %s\n", keys[0] ? "" : "# ", ui_actions[i].name, keys);
	}
}

const struct options_keys_ops ui_keys_options = {
	.check = keys_check,
	.dump = keys_dump,
};

void ui_actions_list(FILE *out, const struct ktop_config *cfg)
{
	char keys[128];

	ui_keys_bind(cfg);
	for (unsigned int i = 0; i < ui_action_count && i < UI_MAX_ACTIONS; i++)
		fprintf(out, "%s\t%s\t%s\n", ui_actions[i].name,
			ui_keys_labels(i, " ", keys, sizeof(keys)), ui_actions[i].help);
}
