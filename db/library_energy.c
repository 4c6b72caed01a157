/* Storing the energy cs export measured (see library.h). */
#include "db/library.h"

#include <sqlite3.h>

int cs_library_store_energy(cs_db *db, const long *ids, const double *energy, size_t n, cs_err *err)
{
    if (!n) return 0;
    if (cs_db_begin(db, err) < 0) return -1;
    sqlite3_stmt *q = cs_db_prepare(db, "UPDATE tracks SET energy = ?1 WHERE id = ?2", err);
    if (!q) {
        cs_db_rollback(db);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(energy[i] >= 0)) continue;
        sqlite3_bind_double(q, 1, energy[i]);
        sqlite3_bind_int64(q, 2, ids[i]);
        if (cs_db_row(db, q, err) < 0) {
            sqlite3_finalize(q);
            cs_db_rollback(db);
            return -1;
        }
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    if (cs_db_commit(db, err) < 0) {
        cs_db_rollback(db);
        return -1;
    }
    return 0;
}
