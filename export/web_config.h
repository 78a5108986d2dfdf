/* SPDX-License-Identifier: GPL-2.0 */
/*
 * export/web_config.h: --web-config FILE, TLS and basic auth for ktop --listen, in the
 * Prometheus exporter-toolkit's format (the subset ktop implements, docs/EXPORTER.md):
 *
 *   tls_server_config:
 *     cert_file: server.crt     # PEM; relative paths are relative to FILE
 *     key_file: server.key
 *   basic_auth_users:
 *     prometheus: $2y$10$...    # bcrypt hashes (htpasswd -nBC 10 "" | tr -d ':\n')
 *
 * Anything else is an error naming FILE:LINE, so a setting ktop would ignore (client
 * certificates, say) is never silently dropped.
 */
#ifndef KTOP_EXPORT_WEB_CONFIG_H
#define KTOP_EXPORT_WEB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_CONFIG_MAX_USERS 64

struct web_config_user {
	char name[64];
	char hash[128]; /* bcrypt: $2a$, $2b$ or $2y$ */
};

struct web_config {
	char *cert_pem, *key_pem; /* both NULL: plain HTTP */
	struct web_config_user users[WEB_CONFIG_MAX_USERS];
	unsigned int nusers; /* 0: no authentication */
};

/* Read FILE and the certificate and key it names; 0, or -1 with "FILE:LINE: ..." in err */
int web_config_load(const char *path, struct web_config *wc, char *err, size_t err_len);
void web_config_free(struct web_config *wc);
/* Does this user name and password match a user of the file? (bcrypt, thread-safe) */
bool web_config_user_ok(const struct web_config *wc, const char *name, const char *password);

#endif
