#ifndef CROFT_CCURL_SHIM_H
#define CROFT_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call. These wrappers fix the
// third argument's type, one per kind of value the SMTP Mailer passes; the option's CURLOPTTYPE_* says
// which to use (LONG/VALUES → _long, STRINGPOINT → _string, SLISTPOINT → _slist, OFF_T → _off_t,
// OBJECTPOINT/CBPOINT → _pointer). https://curl.se/libcurl/c/curl_easy_setopt.html

/// For CURLOPTTYPE_LONG and CURLOPTTYPE_VALUES options (CURLOPT_USE_SSL, CURLOPT_TIMEOUT, CURLOPT_UPLOAD, ...).
static inline CURLcode croft_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// For CURLOPTTYPE_STRINGPOINT options. libcurl copies the string (since 7.17.0), so a Swift
/// `withCString` buffer may end when this returns. https://curl.se/libcurl/c/curl_easy_setopt.html#STRINGS
static inline CURLcode croft_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// For CURLOPTTYPE_OBJECTPOINT and CURLOPTTYPE_CBPOINT options (CURLOPT_READDATA, CURLOPT_ERRORBUFFER).
/// libcurl keeps the pointer, not a copy: it must stay valid until the transfer (or handle) is done.
static inline CURLcode croft_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// For CURLOPTTYPE_SLISTPOINT options (CURLOPT_MAIL_RCPT). libcurl keeps the list, not a copy:
/// free it with curl_slist_free_all only after curl_easy_perform returns.
static inline CURLcode croft_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// For CURLOPTTYPE_OFF_T options (CURLOPT_INFILESIZE_LARGE: lets libcurl send SIZE= with MAIL FROM).
static inline CURLcode croft_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// CURLOPT_READFUNCTION: Swift passes a non-capturing `@convention(c)` closure.
/// https://curl.se/libcurl/c/CURLOPT_READFUNCTION.html
static inline CURLcode croft_curl_easy_setopt_read_function(CURL *handle, curl_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

/// For CURLINFO_LONG values (CURLINFO_RESPONSE_CODE: the last SMTP reply code, 0 if none was read).
/// https://curl.se/libcurl/c/CURLINFO_RESPONSE_CODE.html
static inline CURLcode croft_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// CURL_GLOBAL_DEFAULT is a macro over other macros; spelled out for Swift.
/// https://curl.se/libcurl/c/curl_global_init.html
static inline long croft_curl_global_default(void) { return CURL_GLOBAL_DEFAULT; }

/// CURLVERSION_NOW is a macro naming an enum case, which Swift does not import; this asks for it.
/// `features & CURL_VERSION_THREADSAFE` says curl_global_init is thread-safe (7.84.0+).
static inline const curl_version_info_data *croft_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
