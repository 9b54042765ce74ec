/*
 * columns.h - the columns of a stored trial, declared once.
 *
 * JOLT_TRIAL_COLUMNS is the single list the rest of the code expands: the
 * store's CREATE TABLE, its INSERT and bindings, and its row reader
 * (run/store.c); the row struct below, which the store hands out and the
 * reports keep; and the CSV and JSON row writers (reports/). The order of
 * the list is the order of the table's columns and of every output.
 *
 * X(field, column, kind, sql, out):
 *   field   the member of jolt_trial_row
 *   column  the SQL column and the CSV/JSON name (they differ only for
 *           `op`, since "operator" is what DESIGN.md promises scripts)
 *   kind    how the value is held, bound, read and printed:
 *           STR    const char *, never NULL ("" for SQL NULL)
 *           STRN   const char *, NULL when absent
 *           INT    int
 *           LONG   long
 *           SEED   int64_t holding the bits of a uint64_t (SQLite integers
 *                  are signed); printed unsigned
 *           REAL   double
 *           OUTCOME enum jolt_outcome, stored by its printable name
 *   sql     the column's declaration after its name
 *   out     which row outputs carry it: CSV (the CSV contract and JSON),
 *           JSON (JSON only), NONE (stored only)
 *
 * The CSV columns, in list order, are the contract DESIGN.md fixes:
 * model, scaffold, suite, task, variant, axis, operator, level, seed,
 * repeat, outcome, reward, steps, tokens_in, tokens_out, latency_ms,
 * error_class. Never reorder them.
 *
 * Adding a column:
 *  1. Add an X(...) line here, after the existing ones unless it belongs
 *     to the CSV contract (and then DESIGN.md changes too).
 *  2. Fill it in jolt_store_row_from() (run/store.c): where its value
 *     comes from in a finished trial.
 *  3. Bump STORE_SCHEMA_VERSION in run/store.c and add the column to
 *     older databases there (ALTER TABLE trials ADD COLUMN), so databases
 *     already written still open and load.
 */
#ifndef JOLT_COLUMNS_H
#define JOLT_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "core/vocab.h"

/* clang-format off */
#define JOLT_TRIAL_COLUMNS(X)                                                  \
	/* unique: model|scaffold|suite|task|variant|repeat */                 \
	X(key,             key,             STR,                               \
	  "TEXT UNIQUE NOT NULL", NONE)                                        \
	X(model,           model,           STR,     "TEXT",    CSV)           \
	X(scaffold,        scaffold,        STR,     "TEXT",    CSV)           \
	X(suite,           suite,           STR,     "TEXT",    CSV)           \
	X(task,            task,            STR,     "TEXT",    CSV)           \
	/* JOLT_BASELINE or TASK/AXIS.OPERATOR@LEVEL#SEED */                   \
	X(variant,         variant,         STR,     "TEXT",    CSV)           \
	/* JOLT_BASELINE or an axis key */                                     \
	X(axis,            axis,            STR,     "TEXT",    CSV)           \
	/* operator name, "" for a baseline */                                 \
	X(op,              operator,        STR,     "TEXT",    CSV)           \
	X(level,           level,           INT,     "INTEGER", CSV)           \
	/* the variant seed, 0 for a baseline */                               \
	X(seed,            seed,            SEED,    "INTEGER", CSV)           \
	X(repeat,          repeat,          INT,     "INTEGER", CSV)           \
	X(outcome,         outcome,         OUTCOME, "TEXT",    CSV)           \
	X(reward,          reward,          REAL,    "REAL",    CSV)           \
	X(steps,           steps,           INT,     "INTEGER", CSV)           \
	X(tokens_in,       tokens_in,       LONG,    "INTEGER", CSV)           \
	X(tokens_out,      tokens_out,      LONG,    "INTEGER", CSV)           \
	X(latency_ms,      latency_ms,      LONG,    "INTEGER", CSV)           \
	/* "" when none */                                                     \
	X(error_class,     error_class,     STR,     "TEXT",    CSV)           \
	X(malformed_calls, malformed_calls, INT,     "INTEGER", JSON)          \
	X(answer,          answer,          STRN,    "TEXT",    NONE)          \
	/* grader or error detail */                                           \
	X(detail,          detail,          STRN,    "TEXT",    NONE)
/* clang-format on */

/* The C type of each kind. */
#define JOLT_COL_CTYPE_STR const char *
#define JOLT_COL_CTYPE_STRN const char *
#define JOLT_COL_CTYPE_INT int
#define JOLT_COL_CTYPE_LONG long
#define JOLT_COL_CTYPE_SEED int64_t
#define JOLT_COL_CTYPE_REAL double
#define JOLT_COL_CTYPE_OUTCOME enum jolt_outcome

/*
 * One stored trial, flat. The store fills it (strings borrowed for the
 * duration of its callback); a report keeps copies (strings owned by the
 * report). Outputs of the CSV and JSON formats are generated from it.
 */
typedef struct jolt_trial_row {
	int64_t id; /* row id within its database */
	size_t db;  /* which database it came from: the store leaves 0, a
		     * report sets the index into its list of databases */
#define JOLT_X_FIELD(field, column, kind, sql, out) JOLT_COL_CTYPE_##kind field;
	JOLT_TRIAL_COLUMNS(JOLT_X_FIELD)
#undef JOLT_X_FIELD
} jolt_trial_row;

#endif
