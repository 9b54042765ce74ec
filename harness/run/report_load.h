/*
 * report_load.h - read results databases into a report. This is the one
 * place that joins the store (run/store.h) and reports/: reports/ builds
 * from rows and never opens a database, so the loader lives up here.
 */
#ifndef JOLT_REPORT_LOAD_H
#define JOLT_REPORT_LOAD_H

#include <stddef.h>

#include "reports/report.h"

/* Read all trials from `ndb` databases (opened read-only), in database
 * order then id order, and finish the report. No database is JOLT_EUSAGE.
 * Errors from opening pass up unchanged (JOLT_ENOTFOUND, JOLT_EINPUT for
 * a file that is not a jolt database, JOLT_ESTORE); a row with an unknown
 * outcome is JOLT_EINPUT. The report's trace source (report.h) reopens
 * the databases read-only when a format reads a trace, and closes them in
 * jolt_report_free(). The caller frees *out with jolt_report_free(). */
int jolt_report_load(jolt_report **out, const char *const *dbs, size_t ndb);

#endif
