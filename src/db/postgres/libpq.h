// libpq, loaded when the first PostgreSQL connection is opened (see
// core/shared_library.h): a SQLite installation never maps it.
#pragma once

#include <libpq-fe.h>

#include <string>

#include "core/shared_library.h"

namespace pb::db {

#define PB_LIBPQ_FUNCTIONS(X)                                                             \
  X(PQclear) X(PQcmdStatus) X(PQconsumeInput) X(PQnotifies) X(PQsocket) X(PQcmdTuples) X(PQconnectdbParams) X(PQerrorMessage)       \
  X(PQexec) X(PQexecPrepared) X(PQfinish) X(PQfreemem) X(PQftype) X(PQgetisnull)        \
  X(PQgetlength) X(PQgetResult) X(PQgetvalue) X(PQnfields) X(PQntuples) X(PQprepare) X(PQputCopyData) X(PQputCopyEnd)                   \
  X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus)                       \
  X(PQsetNoticeProcessor) X(PQstatus) X(PQtransactionStatus) X(PQunescapeBytea)         \
  X(PQenterPipelineMode) X(PQexitPipelineMode) X(PQpipelineSync) X(PQsendQueryPrepared) X(PQsendQueryParams)

struct LibPq {
  PB_LIBPQ_FUNCTIONS(PB_SHARED_FUNCTION)
};

// Loads libpq.so.5 once; nullptr and *error when it is not installed.
const LibPq* LoadLibPq(std::string* error);
// The table; only after LoadLibPq() has succeeded.
inline const LibPq& Pq() { return *LoadLibPq(nullptr); }

}  // namespace pb::db
