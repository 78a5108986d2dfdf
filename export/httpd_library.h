/* SPDX-License-Identifier: GPL-2.0 */
/*
 * export/httpd_library.h: libmicrohttpd, loaded only when ktop serves (--listen).
 *
 * Linked in, libmicrohttpd brings its TLS libraries (gnutls, p11-kit, nettle, ...) into
 * every ktop, mapped and relocated: ~2.4 MiB of memory for an exporter most runs never
 * start. So ktop opens the distribution's library by its soname at --listen (and for
 * --check) and calls it through this table. The types come from <microhttpd.h>, so the
 * compiler checks each call as before.
 */
#ifndef KTOP_EXPORT_HTTPD_LIBRARY_H
#define KTOP_EXPORT_HTTPD_LIBRARY_H

#include <stddef.h>

#include <microhttpd.h>

#define HTTPD_LIBRARY_SONAME "libmicrohttpd.so.12"

struct httpd_library {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_is_feature_supported) *is_feature_supported;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_basic_auth_get_username_password) *basic_auth_get_username_password;
	__typeof__(MHD_queue_basic_auth_fail_response) *queue_basic_auth_fail_response;
	__typeof__(MHD_free) *free;
};

/* The library's functions, once httpd_library_load() succeeded */
extern struct httpd_library httpd;

/* Load the library (once; later calls answer the first's result). 0, or -1 with a
 * sentence for the user in err: what is missing and which package has it */
int httpd_library_load(char *err, size_t err_len);

#endif
