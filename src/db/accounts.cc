#include "db/accounts.h"

namespace pb::db {

Id InsertConfirmation(Connection& c, std::string_view type, std::string_view email,
                      std::optional<Id> user_id, std::string_view key, Micros now) {
  return QueryInt(c,
                  "INSERT INTO email_confirmations (type, email, user_id, key, date, active) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, 1) RETURNING id",
                  type, email, user_id, key, now)
      .value();
}

std::optional<ConfirmationRow> FindConfirmation(Connection& c, std::string_view key) {
  Query q(c,
          "SELECT id, type, email, user_id, key, date, active FROM email_confirmations "
          "WHERE key = ?1 ORDER BY id LIMIT 1",
          key);
  if (!q.Next()) return std::nullopt;
  ConfirmationRow r;
  r.id = q.Int(0);
  r.type = q.Str(1);
  r.email = q.Str(2);
  r.user_id = q.OptInt(3);
  r.key = q.Str(4);
  r.date = q.Int(5);
  r.active = q.Int(6) != 0;
  return r;
}

void DeactivateConfirmation(Connection& c, Id id) {
  Query(c, "UPDATE email_confirmations SET active = 0 WHERE id = ?1", id).Run();
}

ExpiryCounts ExpireConfirmationsAndUsers(Connection& c, Micros before) {
  ExpiryCounts n;
  n.confirmations =
      Query(c, "DELETE FROM email_confirmations WHERE date < ?1 OR active = 0", before).Run();
  n.users = Query(c,
                  "DELETE FROM users WHERE is_active = 0 AND id NOT IN "
                  "(SELECT user_id FROM email_confirmations WHERE user_id IS NOT NULL)")
                .Run();
  return n;
}

bool IsOptedOut(Connection& c, std::string_view email) {
  return QueryInt(c, "SELECT 1 FROM email_optouts WHERE email = ?1", email).has_value();
}

void AddOptout(Connection& c, std::string_view email) {
  Query(c, "INSERT INTO email_optouts (email) VALUES (?1) ON CONFLICT DO NOTHING", email).Run();
}

void RemoveOptout(Connection& c, std::string_view email) {
  Query(c, "DELETE FROM email_optouts WHERE email = ?1", email).Run();
}

std::optional<std::string> UsernameTakenAs(Connection& c, std::string_view username) {
  Query q(c, "SELECT username FROM users WHERE lower(username) = lower(?1) LIMIT 1", username);
  if (q.Next()) return q.Str(0);
  return std::nullopt;
}

std::optional<std::string> UserWithEmail(Connection& c, std::string_view email) {
  Query q(c, "SELECT username FROM users WHERE lower(email) = lower(?1) ORDER BY id LIMIT 1",
          email);
  if (q.Next()) return q.Str(0);
  return std::nullopt;
}

int64_t LinkExistingPeopleToUser(Connection& c, Id user_id, std::string_view email) {
  return Query(c, "UPDATE people SET user_id = ?1 WHERE lower(email) = lower(?2)", user_id, email)
      .Run();
}

int64_t LinkUnclaimedPeopleToUser(Connection& c, Id user_id, std::string_view email) {
  return Query(c,
               "UPDATE people SET user_id = ?1 WHERE lower(email) = lower(?2) AND user_id IS NULL",
               user_id, email)
      .Run();
}

int64_t LinkPeopleToUser(Connection& c, Id user_id, std::string_view email, std::string_view name) {
  int64_t n = LinkExistingPeopleToUser(c, user_id, email);
  if (n > 0) return n;
  std::optional<std::string_view> person_name;
  if (!name.empty()) person_name = name;
  Query(c, "INSERT INTO people (email, name, user_id) VALUES (?1, ?2, ?3)", email, person_name,
        user_id)
      .Run();
  return 1;
}

int64_t LinkPeopleToActiveUsers(Connection& c) {
  return Query(c,
               "UPDATE people SET user_id = (SELECT u.id FROM users u WHERE lower(u.email) = "
               "lower(people.email) AND u.is_active = 1 ORDER BY u.id LIMIT 1) "
               "WHERE user_id IS NULL AND EXISTS (SELECT 1 FROM users u WHERE "
               "lower(u.email) = lower(people.email) AND u.is_active = 1)")
      .Run();
}

std::vector<LinkedPerson> PeopleOfUser(Connection& c, Id user_id) {
  Query q(c,
          "SELECT p.id, p.email, p.name, o.email IS NOT NULL FROM people p "
          "LEFT JOIN email_optouts o ON o.email = lower(p.email) "
          "WHERE p.user_id = ?1 ORDER BY p.id",
          user_id);
  std::vector<LinkedPerson> out;
  while (q.Next()) out.push_back({q.Int(0), q.Str(1), q.OptStr(2), q.Int(3) != 0});
  return out;
}

std::optional<PersonRow> FindPerson(Connection& c, Id person_id) {
  Query q(c, "SELECT id, email, name FROM people WHERE id = ?1", person_id);
  if (!q.Next()) return std::nullopt;
  return PersonRow{q.Int(0), q.Str(1), q.OptStr(2)};
}

void UnlinkPerson(Connection& c, Id person_id) {
  Query(c, "UPDATE people SET user_id = NULL WHERE id = ?1", person_id).Run();
}

namespace {

constexpr const char* kAccountColumns =
    "id, username, first_name, last_name, email, is_superuser, is_staff, is_active, password, "
    "last_login, items_per_page, show_ids";

AccountRow ReadAccount(Query& q) {
  AccountRow a;
  a.user.id = q.Int(0);
  a.user.username = q.Str(1);
  a.user.first_name = q.Str(2);
  a.user.last_name = q.Str(3);
  a.user.email = q.Str(4);
  a.user.is_superuser = q.Int(5) != 0;
  a.user.is_staff = q.Int(6) != 0;
  a.user.is_active = q.Int(7) != 0;
  a.password = q.Str(8);
  a.last_login = q.OptInt(9);
  a.items_per_page = q.Int(10);
  a.show_ids = q.Int(11) != 0;
  return a;
}

}  // namespace

std::optional<AccountRow> FindAccount(Connection& c, Id user_id) {
  Query q(c, std::string("SELECT ") + kAccountColumns + " FROM users WHERE id = ?1", user_id);
  if (!q.Next()) return std::nullopt;
  return ReadAccount(q);
}

std::vector<AccountRow> AccountsWithEmail(Connection& c, std::string_view email) {
  Query q(c,
          std::string("SELECT ") + kAccountColumns +
              " FROM users WHERE lower(email) = lower(?1) ORDER BY id",
          email);
  std::vector<AccountRow> out;
  while (q.Next()) out.push_back(ReadAccount(q));
  return out;
}

void ActivateUser(Connection& c, Id user_id) {
  Query(c, "UPDATE users SET is_active = 1 WHERE id = ?1", user_id).Run();
}

void SetPasswordHash(Connection& c, Id user_id, std::string_view hash) {
  Query(c, "UPDATE users SET password = ?1 WHERE id = ?2", hash, user_id).Run();
}

void SetProfileSettings(Connection& c, Id user_id, int64_t items_per_page, bool show_ids) {
  Query(c, "UPDATE users SET items_per_page = ?1, show_ids = ?2 WHERE id = ?3", items_per_page,
        show_ids, user_id)
      .Run();
}

std::string SiteSecret(Connection& c, std::string_view name, std::string_view fresh) {
  {
    Query q(c, "SELECT value FROM site_secrets WHERE name = ?1", name);
    if (q.Next()) return q.Str(0);
  }
  Query(c, "INSERT INTO site_secrets (name, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING", name,
        fresh)
      .Run();
  Query q(c, "SELECT value FROM site_secrets WHERE name = ?1", name);
  return q.Next() ? q.Str(0) : std::string(fresh);
}

std::vector<PendingNotification> PendingNotifications(Connection& c) {
  Query q(c,
          "SELECT n.patch_id, pa.submitter_id, pe.email, pa.name, pa.msgid, pr.linkname, pr.name, "
          "pr.send_notifications, os.name, cs.name, n.last_modified "
          "FROM patch_change_notifications n "
          "JOIN patches pa ON pa.id = n.patch_id "
          "JOIN people pe ON pe.id = pa.submitter_id "
          "JOIN projects pr ON pr.id = pa.project_id "
          "JOIN states os ON os.id = n.orig_state_id "
          "LEFT JOIN states cs ON cs.id = pa.state_id "
          "ORDER BY pa.submitter_id, n.patch_id");
  std::vector<PendingNotification> out;
  while (q.Next()) {
    PendingNotification p;
    p.patch_id = q.Int(0);
    p.submitter_id = q.Int(1);
    p.submitter_email = q.Str(2);
    p.patch_name = q.Str(3);
    p.msgid = q.Str(4);
    p.project_linkname = q.Str(5);
    p.project_name = q.Str(6);
    p.project_sends = q.Int(7) != 0;
    p.orig_state = q.Str(8);
    p.state = q.IsNull(9) ? "" : q.Str(9);
    p.last_modified = q.Int(10);
    out.push_back(std::move(p));
  }
  return out;
}

void DeleteNotification(Connection& c, Id patch_id) {
  Query(c, "DELETE FROM patch_change_notifications WHERE patch_id = ?1", patch_id).Run();
}

}  // namespace pb::db
