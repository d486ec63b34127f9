#ifndef CROFT_CSQLITE_SHIM_H
#define CROFT_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import.
/// These wrappers let Swift bind text and blobs that SQLite copies before the call returns.
/// https://sqlite.org/c3ref/bind_blob.html
static inline int croft_sqlite3_bind_text_transient(sqlite3_stmt *statement, int index,
                                                    const char *text, int byteCount) {
    return sqlite3_bind_text(statement, index, text, byteCount, SQLITE_TRANSIENT);
}

static inline int croft_sqlite3_bind_blob_transient(sqlite3_stmt *statement, int index,
                                                    const void *bytes, int byteCount) {
    return sqlite3_bind_blob(statement, index, bytes, byteCount, SQLITE_TRANSIENT);
}

/// sqlite3_db_config is variadic, which Swift cannot call; this sets one on/off option.
/// https://sqlite.org/c3ref/db_config.html
static inline int croft_sqlite3_db_config_flag(sqlite3 *db, int option, int enabled) {
    return sqlite3_db_config(db, option, enabled, (int *)0);
}

/// SQLITE_DBCONFIG_DQS_DML, spelled out for Swift. https://sqlite.org/quirks.html#dblquote
static inline int croft_sqlite3_dbconfig_dqs_dml(void) { return SQLITE_DBCONFIG_DQS_DML; }

#endif
