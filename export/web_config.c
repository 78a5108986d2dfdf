// SPDX-License-Identifier: GPL-2.0
/*
 * export/web_config.c: the web config file (TLS and basic auth), a strict reading of the
 * small part of YAML the exporter-toolkit's format uses: two sections of "key: value"
 * lines, indented under them, with # comments and quoted or plain values.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_config.h"

#define WEB_CONFIG_FILE_MAX (1024 * 1024) /* a PEM file larger than this is not one */

enum section { SECTION_NONE, SECTION_TLS, SECTION_USERS };

/* The whole of a (PEM) file, NUL-terminated; NULL with err set */
static char *file_read(const char *path, const char *what, char *err, size_t err_len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f) {
		snprintf(err, err_len, "%s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	buf = malloc(WEB_CONFIG_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, WEB_CONFIG_FILE_MAX + 1, f);
	fclose(f);
	buf[n <= WEB_CONFIG_FILE_MAX ? n : 0] = '\0';
	if (!strstr(buf, "-----BEGIN ")) {
		snprintf(err, err_len, "%s %s: not a PEM file", what, path);
		free(buf);
		return NULL;
	}
	return buf;
}

/* A value: 'single', "double" (\" and \\ escaped) or plain up to a " #" comment */
static int parse_value(char *v, char **out)
{
	char *end;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '\'' || *v == '"') {
		char quote = *v++, *w = v;

		*out = v;
		for (end = v; *end && *end != quote; end++) {
			if (quote == '"' && *end == '\\' && (end[1] == '"' || end[1] == '\\'))
				end++;
			*w++ = *end;
		}
		if (*end != quote)
			return -1;
		end++;
		*w = '\0';
		while (*end == ' ' || *end == '\t')
			end++;
		return *end && *end != '#' ? -1 : 0;
	}
	*out = v;
	end = strstr(v, " #");
	if (end)
		*end = '\0';
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return 0;
}

/* A path relative to the web config file's folder */
static void resolve_path(const char *config, const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(config, '/');

	if (path[0] == '/' || !slash)
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "%.*s/%s", (int)(slash - config), config, path);
}

static int parse_line(const char *path, unsigned int lineno, char *line, enum section *section,
		      struct web_config *wc, char *cert, char *key, size_t path_len, char *err,
		      size_t err_len)
{
	bool indented = line[0] == ' ';
	char *colon, *value, *name = line;

	while (*name == ' ')
		name++;
	colon = strchr(name, ':');
	if (!colon || colon == name) {
		snprintf(err, err_len, "%s:%u: expected 'key: value'", path, lineno);
		return -1;
	}
	*colon = '\0';
	if (parse_value(colon + 1, &value) < 0) {
		snprintf(err, err_len, "%s:%u: unterminated quote or text after the value", path,
			 lineno);
		return -1;
	}
	if (!indented) {
		if (strcmp(name, "tls_server_config") == 0)
			*section = SECTION_TLS;
		else if (strcmp(name, "basic_auth_users") == 0)
			*section = SECTION_USERS;
		else {
			snprintf(err, err_len, "%s:%u: '%s' is not supported; expected "
				 "tls_server_config or basic_auth_users", path, lineno, name);
			return -1;
		}
		if (*value) {
			snprintf(err, err_len, "%s:%u: %s takes indented lines, not a value", path,
				 lineno, name);
			return -1;
		}
		return 0;
	}
	if (*section == SECTION_TLS) {
		if (strcmp(name, "cert_file") == 0 && *value)
			resolve_path(path, value, cert, path_len);
		else if (strcmp(name, "key_file") == 0 && *value)
			resolve_path(path, value, key, path_len);
		else {
			snprintf(err, err_len, "%s:%u: tls_server_config: '%s' is not supported; "
				 "expected cert_file and key_file", path, lineno, name);
			return -1;
		}
		return 0;
	}
	if (*section == SECTION_USERS) {
		struct web_config_user *u;

		if (strncmp(value, "$2", 2) != 0 || strlen(value) >= sizeof(u->hash) ||
		    strlen(name) >= sizeof(u->name)) {
			snprintf(err, err_len, "%s:%u: user '%s': expected a bcrypt hash ($2y$...)",
				 path, lineno, name);
			return -1;
		}
		if (wc->nusers == WEB_CONFIG_MAX_USERS) {
			snprintf(err, err_len, "%s:%u: more than %d users", path, lineno,
				 WEB_CONFIG_MAX_USERS);
			return -1;
		}
		u = &wc->users[wc->nusers++];
		snprintf(u->name, sizeof(u->name), "%s", name);
		snprintf(u->hash, sizeof(u->hash), "%s", value);
		return 0;
	}
	snprintf(err, err_len, "%s:%u: an indented line outside a section", path, lineno);
	return -1;
}

int web_config_load(const char *path, struct web_config *wc, char *err, size_t err_len)
{
	char line[1024], cert[4096] = "", key[4096] = "";
	enum section section = SECTION_NONE;
	unsigned int lineno = 0;
	FILE *f;
	int rc = 0;

	memset(wc, 0, sizeof(*wc));
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, err_len, "--web-config %s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		char *p = line;

		lineno++;
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			snprintf(err, err_len, "%s:%u: line too long", path, lineno);
			rc = -1;
			break;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = '\0';
		while (*p == ' ')
			p++;
		if (!*p || *p == '#' || strcmp(p, "---") == 0)
			continue;
		if (strchr(line, '\t')) {
			snprintf(err, err_len, "%s:%u: a tab; YAML indents with spaces", path, lineno);
			rc = -1;
			break;
		}
		rc = parse_line(path, lineno, line, &section, wc, cert, key, sizeof(cert), err,
				err_len);
	}
	fclose(f);
	if (rc == 0 && (*cert != '\0') != (*key != '\0')) {
		snprintf(err, err_len, "%s: tls_server_config needs both cert_file and key_file",
			 path);
		rc = -1;
	}
	if (rc == 0 && *cert) {
		wc->cert_pem = file_read(cert, "cert_file", err, err_len);
		wc->key_pem = wc->cert_pem ? file_read(key, "key_file", err, err_len) : NULL;
		if (!wc->key_pem)
			rc = -1;
	}
	if (rc)
		web_config_free(wc);
	return rc;
}

void web_config_free(struct web_config *wc)
{
	free(wc->cert_pem);
	if (wc->key_pem)
		explicit_bzero(wc->key_pem, strlen(wc->key_pem));
	free(wc->key_pem);
	wc->cert_pem = wc->key_pem = NULL;
}

/* Equal strings, in a time that does not depend on where they differ */
static bool same_text(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	unsigned char diff = n != m;

	for (size_t i = 0; i < n && i < m; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

bool web_config_user_ok(const struct web_config *wc, const char *name, const char *password)
{
	const struct web_config_user *u = NULL;
	struct crypt_data *data;
	const char *hash;
	bool ok;

	for (unsigned int i = 0; i < wc->nusers; i++)
		if (strcmp(wc->users[i].name, name) == 0)
			u = &wc->users[i];
	if (!u || !password)
		return false;
	data = calloc(1, sizeof(*data)); /* about 32 KB: not on a server thread's stack */
	if (!data)
		return false;
	hash = crypt_r(password, u->hash, data);
	ok = hash && hash[0] != '*' && same_text(hash, u->hash);
	free(data);
	return ok;
}
