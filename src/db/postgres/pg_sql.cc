#include "db/postgres/pg_sql.h"

namespace pb::db {

PgSql TranslatePlaceholders(std::string_view sql) {
  PgSql out;
  out.text.reserve(sql.size());
  size_t i = 0, n = sql.size();
  auto copy_quoted = [&](char quote) {  // '...' or "..." with doubled quotes
    out.text += sql[i++];
    while (i < n) {
      char c = sql[i++];
      out.text += c;
      if (c == quote) {
        if (i < n && sql[i] == quote) { out.text += sql[i++]; continue; }
        return;
      }
    }
  };
  while (i < n) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      copy_quoted(c);
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      size_t e = sql.find('\n', i);
      if (e == std::string_view::npos) e = n;
      out.text.append(sql.substr(i, e - i));
      i = e;
    } else if (c == '?' && i + 1 < n && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      size_t j = i + 1;
      int num = 0;
      while (j < n && sql[j] >= '0' && sql[j] <= '9') num = num * 10 + (sql[j++] - '0');
      if (num > out.params) out.params = num;
      out.text += '$';
      out.text.append(sql.substr(i + 1, j - i - 1));
      i = j;
    } else {
      out.text += c;
      ++i;
    }
  }
  return out;
}

}  // namespace pb::db
