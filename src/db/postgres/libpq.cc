#include "db/postgres/libpq.h"

namespace pb::db {

const LibPq* LoadLibPq(std::string* error) {
  PB_LOAD_SHARED_LIBRARY(LibPq, "libpq.so.5", PB_LIBPQ_FUNCTIONS, error)
}

}  // namespace pb::db
