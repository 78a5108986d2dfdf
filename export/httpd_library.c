// SPDX-License-Identifier: GPL-2.0
/* export/httpd_library.c: libmicrohttpd opened at run time (see httpd_library.h). */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "httpd_library.h"

struct httpd_library httpd;

/* Each slot of the table and the symbol that fills it */
static const struct {
	const char *symbol;
	size_t offset;
} httpd_functions[] = {
#define HTTPD_FUNCTION(field, symbol) { #symbol, offsetof(struct httpd_library, field) }
	HTTPD_FUNCTION(start_daemon, MHD_start_daemon),
	HTTPD_FUNCTION(stop_daemon, MHD_stop_daemon),
	HTTPD_FUNCTION(is_feature_supported, MHD_is_feature_supported),
	HTTPD_FUNCTION(create_response_from_buffer, MHD_create_response_from_buffer),
	HTTPD_FUNCTION(add_response_header, MHD_add_response_header),
	HTTPD_FUNCTION(queue_response, MHD_queue_response),
	HTTPD_FUNCTION(destroy_response, MHD_destroy_response),
	HTTPD_FUNCTION(lookup_connection_value, MHD_lookup_connection_value),
	HTTPD_FUNCTION(basic_auth_get_username_password, MHD_basic_auth_get_username_password),
	HTTPD_FUNCTION(queue_basic_auth_fail_response, MHD_queue_basic_auth_fail_response),
	HTTPD_FUNCTION(free, MHD_free),
#undef HTTPD_FUNCTION
};

static int load_result = 1; /* 1: not tried yet */
static char load_error[256];

int httpd_library_load(char *err, size_t err_len)
{
	struct httpd_library table;
	void *lib;

	if (load_result == 1) {
		load_result = -1;
		/* kept open for as long as ktop runs: its thread serves until the end */
		lib = dlopen(HTTPD_LIBRARY_SONAME, RTLD_NOW | RTLD_LOCAL);
		if (!lib) {
			snprintf(load_error, sizeof(load_error),
				 "cannot load %s, which serves the metrics (Debian and Ubuntu: apt "
				 "install libmicrohttpd12): %s",
				 HTTPD_LIBRARY_SONAME, dlerror());
			goto out;
		}
		for (size_t i = 0; i < sizeof(httpd_functions) / sizeof(httpd_functions[0]); i++) {
			void *fn = dlsym(lib, httpd_functions[i].symbol);

			if (!fn) {
				snprintf(load_error, sizeof(load_error),
					 "%s has no %s: too old a libmicrohttpd",
					 HTTPD_LIBRARY_SONAME, httpd_functions[i].symbol);
				dlclose(lib);
				goto out;
			}
			memcpy((char *)&table + httpd_functions[i].offset, &fn, sizeof(fn));
		}
		httpd = table;
		load_result = 0;
	}
out:
	if (load_result < 0)
		snprintf(err, err_len, "%s", load_error);
	return load_result;
}
