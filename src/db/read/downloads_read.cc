#include "db/read/downloads_read.h"

namespace pb::db::read {

std::optional<DownloadTarget> FindPatchDownload(Connection& c, Id patch_id) {
  Query q(c,
          "SELECT p.id, pr.linkname, p.msgid, p.name FROM patches p "
          "JOIN projects pr ON pr.id = p.project_id WHERE p.id = ?1",
          patch_id);
  if (!q.Next()) return std::nullopt;
  return DownloadTarget{q.Int(0), q.Str(1), q.Str(2), q.Str(3), std::nullopt, std::nullopt};
}

std::optional<DownloadTarget> FindCoverDownload(Connection& c, Id cover_id) {
  Query q(c,
          "SELECT v.id, pr.linkname, v.msgid, v.name FROM covers v "
          "JOIN projects pr ON pr.id = v.project_id WHERE v.id = ?1",
          cover_id);
  if (!q.Next()) return std::nullopt;
  return DownloadTarget{q.Int(0), q.Str(1), q.Str(2), q.Str(3), std::nullopt, std::nullopt};
}

std::optional<DownloadTarget> FindPatchDownloadByMsgid(Connection& c, std::string_view linkname,
                                                       std::string_view msgid) {
  Query q(c,
          "SELECT p.id, pr.linkname, p.msgid, p.name, p.diff, p.series_id FROM patches p "
          "JOIN projects pr ON pr.id = p.project_id WHERE pr.linkname = ?1 AND p.msgid = ?2",
          linkname, msgid);
  if (!q.Next()) return std::nullopt;
  return DownloadTarget{q.Int(0), q.Str(1), q.Str(2), q.Str(3), q.OptStr(4), q.OptInt(5)};
}

std::optional<DownloadTarget> FindCoverDownloadByMsgid(Connection& c, std::string_view linkname,
                                                       std::string_view msgid) {
  Query q(c,
          "SELECT v.id, pr.linkname, v.msgid, v.name FROM covers v "
          "JOIN projects pr ON pr.id = v.project_id WHERE pr.linkname = ?1 AND v.msgid = ?2",
          linkname, msgid);
  if (!q.Next()) return std::nullopt;
  return DownloadTarget{q.Int(0), q.Str(1), q.Str(2), q.Str(3), std::nullopt, std::nullopt};
}

std::optional<std::string> FindProjectLinkname(Connection& c, std::string_view linkname) {
  Query q(c, "SELECT linkname FROM projects WHERE linkname = ?1", linkname);
  if (!q.Next()) return std::nullopt;
  return q.Str(0);
}

std::optional<std::optional<std::string>> FindSeriesName(Connection& c, Id series_id) {
  Query q(c, "SELECT id, name FROM series WHERE id = ?1", series_id);
  if (!q.Next()) return std::nullopt;
  return q.OptStr(1);
}

}  // namespace pb::db::read
