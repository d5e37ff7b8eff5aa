#include "db/migrations.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"

namespace pb::db {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
  // When set, PostgreSQL runs this instead of `sql` (SQLite then runs `sql`,
  // which may be empty).
  const char* postgres_sql = nullptr;
};

// Table and column names follow Patchwork's models (shared spec §1.2) with
// short table names; timestamps are BIGINT microseconds since the epoch, UTC;
// booleans are INTEGER 0/1 so both backends bind them the same way.
const Migration kMigrations[] = {
    {1, "Patchwork data model", R"SQL(
CREATE TABLE users (
  id {{ID}},
  username TEXT NOT NULL UNIQUE,
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  password TEXT NOT NULL DEFAULT '',
  is_active INTEGER NOT NULL DEFAULT 1,
  is_staff INTEGER NOT NULL DEFAULT 0,
  is_superuser INTEGER NOT NULL DEFAULT 0,
  last_login BIGINT,
  date_joined BIGINT NOT NULL,
  -- UserProfile, one per user upstream; folded in here.
  send_email INTEGER NOT NULL DEFAULT 0,
  items_per_page INTEGER NOT NULL DEFAULT 100,
  show_ids INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_email ON users (lower(email));

CREATE TABLE tokens (
  key TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  created BIGINT NOT NULL
);

CREATE TABLE projects (
  id {{ID}},
  linkname TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  listid TEXT NOT NULL,
  listemail TEXT NOT NULL,
  subject_match TEXT NOT NULL DEFAULT '',
  web_url TEXT NOT NULL DEFAULT '',
  scm_url TEXT NOT NULL DEFAULT '',
  webscm_url TEXT NOT NULL DEFAULT '',
  list_archive_url TEXT NOT NULL DEFAULT '',
  list_archive_url_format TEXT NOT NULL DEFAULT '',
  commit_url_format TEXT NOT NULL DEFAULT '',
  send_notifications INTEGER NOT NULL DEFAULT 0,
  use_tags INTEGER NOT NULL DEFAULT 1,
  show_dependencies INTEGER NOT NULL DEFAULT 0,
  UNIQUE (listid, subject_match)
);

CREATE TABLE project_maintainers (
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, project_id)
);

CREATE TABLE people (
  id {{ID}},
  email TEXT NOT NULL UNIQUE,
  name TEXT,
  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX people_email_lower ON people (lower(email));
CREATE INDEX people_user ON people (user_id);

CREATE TABLE states (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  slug TEXT NOT NULL UNIQUE,
  ordering INTEGER NOT NULL UNIQUE,
  action_required INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE tags (
  id {{ID}},
  name TEXT NOT NULL,
  pattern TEXT NOT NULL,
  abbrev TEXT NOT NULL UNIQUE,
  show_column INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE covers (
  id {{ID}},
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  msgid TEXT NOT NULL,
  name TEXT NOT NULL,
  date BIGINT NOT NULL,
  submitter_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  headers TEXT NOT NULL DEFAULT '',
  content TEXT,
  UNIQUE (msgid, project_id)
);
CREATE INDEX covers_project_date ON covers (project_id, date);
CREATE INDEX covers_submitter ON covers (submitter_id);
CREATE INDEX covers_name ON covers (name);

CREATE TABLE series (
  id {{ID}},
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  cover_letter_id BIGINT UNIQUE REFERENCES covers (id) ON DELETE CASCADE,
  name TEXT,
  date BIGINT NOT NULL,
  submitter_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  version INTEGER NOT NULL DEFAULT 1,
  total INTEGER NOT NULL,
  -- Denormalised count of patches, kept by the only writer (service/ingest).
  received_total INTEGER NOT NULL DEFAULT 0,
  -- patchbay extension: the previous revision of this series (v1 for a v2).
  previous_id BIGINT REFERENCES series (id) ON DELETE SET NULL
);
CREATE INDEX series_project ON series (project_id, date);
CREATE INDEX series_markers ON series (project_id, submitter_id, version, total, date);
CREATE INDEX series_previous ON series (previous_id);

CREATE TABLE series_references (
  id {{ID}},
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  series_id BIGINT NOT NULL REFERENCES series (id) ON DELETE CASCADE,
  msgid TEXT NOT NULL,
  UNIQUE (project_id, msgid)
);
CREATE INDEX series_references_series ON series_references (series_id);

CREATE TABLE series_dependencies (
  series_id BIGINT NOT NULL REFERENCES series (id) ON DELETE CASCADE,
  depends_on_id BIGINT NOT NULL REFERENCES series (id) ON DELETE CASCADE,
  PRIMARY KEY (series_id, depends_on_id)
);
CREATE INDEX series_dependents ON series_dependencies (depends_on_id);

CREATE TABLE patch_relations (
  id {{ID}}
);

CREATE TABLE patches (
  id {{ID}},
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  msgid TEXT NOT NULL,
  name TEXT NOT NULL,
  date BIGINT NOT NULL,
  submitter_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  delegate_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
  state_id BIGINT NOT NULL REFERENCES states (id) ON DELETE CASCADE,
  archived INTEGER NOT NULL DEFAULT 0,
  hash TEXT,
  commit_ref TEXT,
  pull_url TEXT,
  series_id BIGINT REFERENCES series (id) ON DELETE CASCADE,
  number INTEGER,
  related_id BIGINT REFERENCES patch_relations (id) ON DELETE SET NULL,
  -- The large columns come last so list scans stay on the row's first page.
  headers TEXT NOT NULL DEFAULT '',
  content TEXT,
  diff TEXT,
  UNIQUE (msgid, project_id),
  UNIQUE (series_id, number)
);
CREATE INDEX patches_project ON patches (project_id, id);
CREATE INDEX patches_project_state_date ON patches (project_id, state_id, archived, date, id);
CREATE INDEX patches_project_date ON patches (project_id, date, id);
CREATE INDEX patches_submitter ON patches (submitter_id);
CREATE INDEX patches_delegate ON patches (delegate_id);
CREATE INDEX patches_series ON patches (series_id, number);
CREATE INDEX patches_hash ON patches (hash);
CREATE INDEX patches_msgid ON patches (msgid);
CREATE INDEX patches_related ON patches (related_id);

CREATE TABLE patch_tags (
  patch_id BIGINT NOT NULL REFERENCES patches (id) ON DELETE CASCADE,
  tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  count INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (patch_id, tag_id)
);

CREATE TABLE patch_comments (
  id {{ID}},
  patch_id BIGINT NOT NULL REFERENCES patches (id) ON DELETE CASCADE,
  msgid TEXT NOT NULL,
  date BIGINT NOT NULL,
  submitter_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  addressed INTEGER,
  headers TEXT NOT NULL DEFAULT '',
  content TEXT,
  UNIQUE (msgid, patch_id)
);
CREATE INDEX patch_comments_patch_date ON patch_comments (patch_id, date);
CREATE INDEX patch_comments_msgid ON patch_comments (msgid);

CREATE TABLE cover_comments (
  id {{ID}},
  cover_id BIGINT NOT NULL REFERENCES covers (id) ON DELETE CASCADE,
  msgid TEXT NOT NULL,
  date BIGINT NOT NULL,
  submitter_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  addressed INTEGER,
  headers TEXT NOT NULL DEFAULT '',
  content TEXT,
  UNIQUE (msgid, cover_id)
);
CREATE INDEX cover_comments_cover_date ON cover_comments (cover_id, date);
CREATE INDEX cover_comments_msgid ON cover_comments (msgid);

CREATE TABLE bundles (
  id {{ID}},
  owner_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  public INTEGER NOT NULL DEFAULT 0,
  UNIQUE (owner_id, name)
);

CREATE TABLE bundle_patches (
  id {{ID}},
  bundle_id BIGINT NOT NULL REFERENCES bundles (id) ON DELETE CASCADE,
  patch_id BIGINT NOT NULL REFERENCES patches (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  UNIQUE (bundle_id, patch_id)
);

CREATE TABLE checks (
  id {{ID}},
  patch_id BIGINT NOT NULL REFERENCES patches (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  date BIGINT NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  target_url TEXT,
  description TEXT,
  context TEXT NOT NULL DEFAULT 'default'
);
CREATE INDEX checks_patch ON checks (patch_id, id);

CREATE TABLE events (
  id {{ID}},
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  date BIGINT NOT NULL,
  actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  patch_id BIGINT REFERENCES patches (id) ON DELETE CASCADE,
  series_id BIGINT REFERENCES series (id) ON DELETE CASCADE,
  cover_id BIGINT REFERENCES covers (id) ON DELETE CASCADE,
  previous_state_id BIGINT REFERENCES states (id) ON DELETE CASCADE,
  current_state_id BIGINT REFERENCES states (id) ON DELETE CASCADE,
  previous_delegate_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
  current_delegate_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
  previous_relation_id BIGINT REFERENCES patch_relations (id) ON DELETE CASCADE,
  current_relation_id BIGINT REFERENCES patch_relations (id) ON DELETE CASCADE,
  created_check_id BIGINT REFERENCES checks (id) ON DELETE CASCADE,
  cover_comment_id BIGINT REFERENCES cover_comments (id) ON DELETE CASCADE,
  patch_comment_id BIGINT REFERENCES patch_comments (id) ON DELETE CASCADE
);
CREATE INDEX events_project_date ON events (project_id, date, id);
CREATE INDEX events_date ON events (date, id);
CREATE INDEX events_patch ON events (patch_id);
CREATE INDEX events_series ON events (series_id);
CREATE INDEX events_cover ON events (cover_id);

CREATE TABLE delegation_rules (
  id {{ID}},
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  UNIQUE (path, project_id)
);

CREATE TABLE email_confirmations (
  id {{ID}},
  type TEXT NOT NULL,
  email TEXT NOT NULL,
  user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  date BIGINT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE email_optouts (
  email TEXT PRIMARY KEY
);

CREATE TABLE patch_change_notifications (
  patch_id BIGINT PRIMARY KEY REFERENCES patches (id) ON DELETE CASCADE,
  last_modified BIGINT NOT NULL,
  orig_state_id BIGINT NOT NULL REFERENCES states (id) ON DELETE CASCADE
);

-- Mails that could not be stored (an error, not a deliberate drop), kept
-- verbatim so an admin can inspect and retry them: no accepted mail is lost.
CREATE TABLE failed_mails (
  id {{ID}},
  received BIGINT NOT NULL,
  msgid TEXT,
  list_id TEXT,
  reason TEXT NOT NULL,
  raw {{BLOB}} NOT NULL,
  resolved INTEGER NOT NULL DEFAULT 0
);

-- Bumped by every writer in the same transaction as its change; readers use
-- it to know when cached counts are stale, across processes.
CREATE TABLE data_generation (
  id INTEGER PRIMARY KEY,
  generation BIGINT NOT NULL
);
INSERT INTO data_generation (id, generation) VALUES (1, 0);

INSERT INTO states (id, name, slug, ordering, action_required) VALUES
  (1, 'New', 'new', 0, 1),
  (2, 'Under Review', 'under-review', 1, 1),
  (3, 'Accepted', 'accepted', 2, 0),
  (4, 'Rejected', 'rejected', 3, 0),
  (5, 'RFC', 'rfc', 4, 0),
  (6, 'Not Applicable', 'not-applicable', 5, 0),
  (7, 'Changes Requested', 'changes-requested', 6, 0),
  (8, 'Awaiting Upstream', 'awaiting-upstream', 7, 0),
  (9, 'Superseded', 'superseded', 8, 0),
  (10, 'Deferred', 'deferred', 9, 0);

INSERT INTO tags (id, name, pattern, abbrev, show_column) VALUES
  (1, 'Acked-by', '^Acked-by:', 'A', 1),
  (2, 'Reviewed-by', '^Reviewed-by:', 'R', 1),
  (3, 'Tested-by', '^Tested-by:', 'T', 1);
)SQL"},
    // REST list pages select the ids of a page first (LIMIT/OFFSET over ids
    // only), then join the page's rows. These indexes make that walk
    // index-only for each list's default order and the usual orders and
    // filters, so a deep page costs about what the first one does. In
    // SQLite a table b-tree walk reads whole rows (patch diffs, mail
    // headers), hence the (id) indexes next to the integer primary keys.
    {2, "List page indexes", R"SQL(
CREATE INDEX patches_id ON patches (id);
CREATE INDEX patches_date ON patches (date, id);
CREATE INDEX patches_project_name ON patches (project_id, name, id);
CREATE INDEX covers_id ON covers (id);
CREATE INDEX covers_project_id ON covers (project_id, id);
CREATE INDEX covers_date ON covers (date, id);
CREATE INDEX series_project_id ON series (project_id, id);
CREATE INDEX series_date ON series (date, id);
CREATE INDEX events_category_date ON events (category, date, id);
-- Before API 1.3 comment events are excluded: the category rides along.
CREATE INDEX events_date_category ON events (date, id, category);
CREATE INDEX events_project_date_category ON events (project_id, date, id, category);
)SQL"},
    // `?project=X&state=new&order=-date` (git-pw's default order, and its
    // default filter is one or two states) walked patches_project_date and
    // read every row to test its state: 0.58 s to list the ids of 100,000
    // patches. Now one state seeks and walks in order; several states or
    // none walk the date index and test state and archived from it. Dates
    // are stored descending because ties go by ascending id: a scan of
    // (date, id) backwards gives descending ids and made SQLite sort every
    // run of equal dates (a fifth of a first page's SQL cost).
    {3, "Patch lists by state in date order", R"SQL(
DROP INDEX patches_project_state_date;
DROP INDEX patches_project_date;
CREATE INDEX patches_project_state_date ON patches (project_id, state_id, date DESC, id, archived);
CREATE INDEX patches_project_date ON patches (project_id, date DESC, id, state_id, archived);
)SQL"},
    // Web logins (Django's django_session, reduced to what a login needs).
    // Only a SHA-256 of the cookie's key is stored, so a copy of the
    // database does not hand out live sessions. `auth_hash` fingerprints the
    // user's password hash at login: changing the password ends every
    // session, as Django's get_session_auth_hash check does.
    {4, "Web sessions", R"SQL(
CREATE TABLE sessions (
  key_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  auth_hash TEXT NOT NULL,
  created BIGINT NOT NULL,
  expires BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires);
CREATE INDEX sessions_user ON sessions (user_id);
)SQL"},
    // Every patch shown carries its combined check state (LoadPatchExtras),
    // which read each check row: a random page read per check once the
    // table outgrows the caches (4.2 reads per patch detail request at 1M
    // patches). With the columns it needs in the index, one leaf serves.
    {5, "Check states from the index", R"SQL(
DROP INDEX checks_patch;
CREATE INDEX checks_patch ON checks (patch_id, id, user_id, state, date, context);
)SQL"},
    // Replies whose parent has not arrived yet (delivery out of order, or
    // several ingesters at once): kept, and attached when the parent is
    // stored, instead of dropped as upstream does (docs/compatibility.md).
    {6, "Held replies", R"SQL(
CREATE TABLE held_mails (
  id {{ID}},
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  msgid TEXT NOT NULL,
  list_id TEXT NOT NULL DEFAULT '',
  held BIGINT NOT NULL,
  universal_newlines INTEGER NOT NULL DEFAULT 0,
  raw {{BLOB}} NOT NULL,
  UNIQUE (project_id, msgid)
);
CREATE TABLE held_mail_refs (
  held_id BIGINT NOT NULL REFERENCES held_mails (id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL,
  msgid TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (held_id, msgid)
);
CREATE INDEX held_mail_refs_msgid ON held_mail_refs (project_id, msgid);
CREATE INDEX held_mails_held ON held_mails (held);
)SQL"},
    // Mail out. A mail is composed and stored here in the transaction that
    // causes it, then delivered by the server's sender thread or `cron`;
    // one that cannot be delivered stays, with its error, and is retried
    // with a growing delay (`next_attempt`), so none is lost. A sender
    // first leases a mail (`leased_until`), so two senders never deliver
    // one mail at once. `site_secrets` holds the key that signs password
    // reset links (Django's SECRET_KEY), made once per database.
    {7, "Outbox, site secret, confirmation keys", R"SQL(
CREATE TABLE outbox (
  id {{ID}},
  created BIGINT NOT NULL,
  sender TEXT NOT NULL,
  recipients TEXT NOT NULL,
  message {{BLOB}} NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt BIGINT NOT NULL,
  leased_until BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_next ON outbox (next_attempt, id);
CREATE TABLE site_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE INDEX email_confirmations_key ON email_confirmations (key);
CREATE INDEX email_confirmations_user ON email_confirmations (user_id);
)SQL"},
    // SQLite gives a row without an id max(id) + 1, so rows inserted with
    // explicit ids (imports, states and tags above, test fixtures) never
    // clash with later ones. A PostgreSQL identity sequence knows nothing of
    // explicit ids; this trigger moves it past each one. A row that takes
    // the default is a no-op compare. Tables added later with {{ID}} need
    // the same trigger (CREATE TRIGGER as below).
    {8, "Identity sequences follow explicit ids", "", R"SQL(
CREATE FUNCTION pb_follow_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id > COALESCE(pg_sequence_last_value(TG_ARGV[0]::regclass), 0) THEN
    PERFORM setval(TG_ARGV[0]::regclass, NEW.id);
  END IF;
  RETURN NEW;
END $$;
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT table_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %I FOR EACH ROW EXECUTE FUNCTION pb_follow_id(%L)',
                   t || '_follow_id', t, pg_get_serial_sequence(t, 'id'));
    EXECUTE format('SELECT setval(%L, COALESCE((SELECT MAX(id) FROM %I), 0) + 1, false)',
                   pg_get_serial_sequence(t, 'id'), t);
  END LOOP;
END $$;
)SQL"},
    // Automatic superseding (off by default, as upstream) and webhooks.
    // A webhook remembers the last event it has queued (`last_event_id`,
    // set to the newest event when it is added), so the dispatcher reads
    // events past that cursor; nothing is added to the insert path of
    // events. Each delivery keeps the exact body it signs and a lease
    // (`leased_until`) so several servers never send one at once;
    // `webhook_attempts` logs every try.
    {9, "Superseding setting, webhooks", R"SQL(
ALTER TABLE projects ADD COLUMN supersede_revisions INTEGER NOT NULL DEFAULT 0;
CREATE TABLE webhooks (
  id {{ID}},
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  categories TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  created BIGINT NOT NULL,
  last_event_id BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhooks_project ON webhooks (project_id);
CREATE TABLE webhook_deliveries (
  id {{ID}},
  webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id BIGINT NOT NULL,
  uuid TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL,
  body {{BLOB}} NOT NULL,
  created BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt BIGINT NOT NULL,
  leased_until BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  finished BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt, id);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);
CREATE TABLE webhook_attempts (
  id {{ID}},
  delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  date BIGINT NOT NULL,
  response_code INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  duration_us BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
)SQL"},
    // A stored comment whose parent could change when a mail it references
    // arrives later (a reply naming both a cover letter and a patch, the
    // patch not stored yet): watched under each such reference, so the
    // comment moves to the parent an in-order ingest gives it
    // (service/comment_homes.cc).
    {10, "Comment references awaited", R"SQL(
CREATE TABLE comment_refs (
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  msgid TEXT NOT NULL,
  comment_msgid TEXT NOT NULL,
  PRIMARY KEY (project_id, msgid, comment_msgid)
);
)SQL"},
    // `patchbay serve` pushes new events to its stream clients
    // (/api/events/stream) as soon as any process commits them. On
    // PostgreSQL the commit itself tells it: one NOTIFY per inserting
    // statement, delivered at commit (duplicates in one transaction fold
    // into one). SQLite has no such signal; the server polls there.
    {11, "Notify event listeners", "", R"SQL(
CREATE FUNCTION pb_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('patchbay_events', '');
  RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION pb_notify_events();
)SQL"},
    // The web list's order by submitter walks people by name (patches_read.cc).
    {12, "People by name", R"SQL(
CREATE INDEX people_name ON people (name, id);
)SQL"},
    // `patchbay git-sync` (docs/git-sync.md): which commit accepted or
    // superseded which patch and by which rule; git's patch-id of each
    // stored diff (computed once by `git patch-id`) and the hash of its
    // changed lines without context, both looked up by index;
    // and per project, repository and branch the last commit synced, so a
    // run without --since starts where the previous one stopped.
    {13, "Merged-patch detection from git", R"SQL(
CREATE TABLE patch_git_matches (
  patch_id BIGINT NOT NULL REFERENCES patches (id) ON DELETE CASCADE,
  commit_sha TEXT NOT NULL,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  rule TEXT NOT NULL,
  action TEXT NOT NULL,
  matched_at BIGINT NOT NULL,
  PRIMARY KEY (patch_id, commit_sha)
);
CREATE INDEX patch_git_matches_project ON patch_git_matches (project_id, matched_at);
CREATE TABLE patch_git_ids (
  patch_id BIGINT PRIMARY KEY REFERENCES patches (id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  git_patch_id TEXT NOT NULL,
  changed_lines TEXT NOT NULL
);
CREATE INDEX patch_git_ids_lookup ON patch_git_ids (project_id, git_patch_id);
CREATE INDEX patch_git_ids_changed_lines ON patch_git_ids (project_id, changed_lines);
CREATE TABLE git_sync_cursors (
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  repo TEXT NOT NULL,
  branch TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  updated BIGINT NOT NULL,
  PRIMARY KEY (project_id, repo, branch)
);
)SQL"},
    // `patchbay import` drops the secondary indexes of the tables it fills
    // and makes them again at the end (one sort each instead of millions of
    // scattered inserts). Their definitions wait here meanwhile, so an
    // interrupted import resumed later still makes every one of them.
    {14, "Indexes an import made again at its end", R"SQL(
CREATE TABLE import_pending_indexes (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL
);
)SQL"},
    // Every stored mail adds one to three events, and each event row
    // updated eight indexes. (date, id) and (project_id, date, id) are
    // prefixes of the (…, category) indexes of migration 2, which serve the
    // same filters and orders (db/read/events_read.cc) and are chosen by
    // both planners when the shorter ones are gone.
    {15, "Drop the events indexes that longer ones cover", R"SQL(
DROP INDEX events_date;
DROP INDEX events_project_date;
)SQL"},
    // The mail texts an ingest stores are compressed by PostgreSQL (TOAST)
    // inside the ingest's write lock: with the default pglz that was a
    // third of the time of inserting a patch, comment or held mail
    // (docs/performance.md §9g). lz4 compresses several times faster and
    // decompresses faster for readers too. Only new values are compressed
    // with it; stored ones stay readable as they are. Skipped by a server
    // built without lz4 (it keeps pglz). Nothing on SQLite, which does not
    // compress.
    {16, "Mail texts compressed with lz4 on PostgreSQL", "", R"SQL(
DO $$
DECLARE col text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'
                 AND 'lz4' = ANY (enumvals)) THEN
    RETURN;
  END IF;
  FOREACH col IN ARRAY ARRAY['patches.headers', 'patches.content', 'patches.diff',
                             'covers.headers', 'covers.content',
                             'patch_comments.headers', 'patch_comments.content',
                             'cover_comments.headers', 'cover_comments.content',
                             'held_mails.raw', 'failed_mails.raw'] LOOP
    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET COMPRESSION lz4',
                   split_part(col, '.', 1), split_part(col, '.', 2));
  END LOOP;
END $$;
)SQL"},
    // Every ingested patch wrote fifteen index entries. On PostgreSQL five
    // indexes copy another one: a table's primary key is an index of its
    // own there (migration 2's (id) indexes are for SQLite, whose table
    // b-tree holds whole rows), a UNIQUE constraint makes one on the same
    // columns, and an index on msgid alone is the prefix of the unique
    // (msgid, parent) one. The planner uses the twin for every query that
    // used the copy (same columns, same order). SQLite keeps them (its own
    // plans name patches_id; the constraint indexes are its autoindexes).
    {17, "Drop the PostgreSQL indexes that duplicate another", "", R"SQL(
DROP INDEX patches_id;
DROP INDEX covers_id;
DROP INDEX patches_series;
DROP INDEX patches_msgid;
DROP INDEX patch_comments_msgid;
DROP INDEX cover_comments_msgid;
)SQL"},
    // An ingest writes one to three events per mail, and each event row
    // fired thirteen foreign-key triggers on PostgreSQL, a query of their own
    // for each non-null key: 41 % of the ingest's foreign-key checks, a
    // fifth of the server's work (docs/performance.md §9k, §9m). What the
    // keys did for events is what deleting a parent does: ON DELETE CASCADE
    // (SET NULL for the actor). Here a statement-level AFTER DELETE trigger
    // on each parent does that with one statement per deleting statement,
    // over the deleted rows (a transition table), so the ids events hold
    // are no longer checked on insert. That is safe because the service
    // layer (db/mail_store.cc, db/comment_homes.cc, db/admin.cc) is the
    // only writer of events and writes ids it just read or wrote in the
    // same transaction, and every write transaction holds the write lock
    // (db::Connection::Begin), so no delete of a parent interleaves with an
    // insert naming it. `patchbay import` copies upstream's events, whose
    // database kept the same keys. Cascades of cascades still happen: a
    // project's RI triggers delete its patches, whose trigger here deletes
    // their events, and so on. SQLite keeps its foreign keys (its checks
    // are index probes inside the insert, no separate queries).
    // tests/db/event_cascade_test.cc deletes each parent on both backends.
    {18, "Events follow their deleted parents by statement triggers on PostgreSQL", "", R"SQL(
DO $$
DECLARE k text;
BEGIN
  FOR k IN SELECT conname FROM pg_constraint
           WHERE conrelid = 'events'::regclass AND contype = 'f' LOOP
    EXECUTE format('ALTER TABLE events DROP CONSTRAINT %I', k);
  END LOOP;
END $$;
-- An interrupted `patchbay import` keeps the keys it dropped to add them
-- back at its end: those of events are gone for good now.
DELETE FROM import_pending_indexes WHERE name LIKE 'foreign key events.%';
CREATE FUNCTION pb_events_of_deleted_projects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM events WHERE project_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_events_of_deleted_patches() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM events WHERE patch_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_events_of_deleted_series() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM events WHERE series_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_events_of_deleted_covers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM events WHERE cover_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_events_of_deleted_patch_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM events WHERE patch_comment_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_events_of_deleted_cover_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM events WHERE cover_comment_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_events_of_deleted_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM events WHERE previous_state_id IN (SELECT id FROM gone)
                        OR current_state_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
-- The actor's key was SET NULL, the delegates' CASCADE (db::DeleteUser
-- clears the delegates first, to keep the history).
CREATE FUNCTION pb_events_of_deleted_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM events WHERE previous_delegate_id IN (SELECT id FROM gone)
                        OR current_delegate_id IN (SELECT id FROM gone);
  UPDATE events SET actor_id = NULL WHERE actor_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_events_of_deleted_patch_relations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM events WHERE previous_relation_id IN (SELECT id FROM gone)
                        OR current_relation_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_events_of_deleted_checks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM events WHERE created_check_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE TRIGGER projects_events_follow AFTER DELETE ON projects REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_events_of_deleted_projects();
CREATE TRIGGER patches_events_follow AFTER DELETE ON patches REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_events_of_deleted_patches();
CREATE TRIGGER series_events_follow AFTER DELETE ON series REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_events_of_deleted_series();
CREATE TRIGGER covers_events_follow AFTER DELETE ON covers REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_events_of_deleted_covers();
CREATE TRIGGER patch_comments_events_follow AFTER DELETE ON patch_comments
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_events_of_deleted_patch_comments();
CREATE TRIGGER cover_comments_events_follow AFTER DELETE ON cover_comments
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_events_of_deleted_cover_comments();
CREATE TRIGGER states_events_follow AFTER DELETE ON states REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_events_of_deleted_states();
CREATE TRIGGER users_events_follow AFTER DELETE ON users REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_events_of_deleted_users();
CREATE TRIGGER patch_relations_events_follow AFTER DELETE ON patch_relations
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_events_of_deleted_patch_relations();
CREATE TRIGGER checks_events_follow AFTER DELETE ON checks REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_events_of_deleted_checks();
)SQL"},
    // The same for the keys of the other rows an ingest writes, those only
    // the ingest (service/ingest.cc) and `patchbay import` write: after
    // migration 18 they were still 21,800 foreign-key checks per 5,000
    // mails (each a query locking the parent row; the people and project
    // rows once per patch, comment, cover and series, and again for each
    // UPDATE of a series the transaction made). Kept as constraints: the
    // keys the API or the admin commands set (patches' state, delegate and
    // relation, series' cover letter and previous revision, a tag count's
    // tag), whose violations those commands report. Every key here was ON
    // DELETE CASCADE; each trigger deletes the children of the deleted
    // rows, whose own triggers and constraints cascade further. The
    // argument of migration 18 holds: writers take the write lock and name
    // rows they read or wrote in it; `patchbay import` checks these keys
    // itself at its end (db::TriggerKeptKeys).
    {19, "Ingest keys kept by statement triggers on PostgreSQL", "", R"SQL(
DO $$
DECLARE k record;
BEGIN
  FOR k IN SELECT c.conrelid::regclass::text AS tbl, c.conname
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
           WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1
             AND (c.conrelid::regclass::text, a.attname) IN (
               ('patches', 'project_id'), ('patches', 'submitter_id'), ('patches', 'series_id'),
               ('covers', 'project_id'), ('covers', 'submitter_id'),
               ('series', 'project_id'), ('series', 'submitter_id'),
               ('series_references', 'project_id'), ('series_references', 'series_id'),
               ('patch_comments', 'patch_id'), ('patch_comments', 'submitter_id'),
               ('cover_comments', 'cover_id'), ('cover_comments', 'submitter_id'),
               ('patch_tags', 'patch_id'), ('held_mails', 'project_id'),
               ('held_mail_refs', 'held_id'), ('comment_refs', 'project_id')) LOOP
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', k.tbl, k.conname);
    DELETE FROM import_pending_indexes WHERE name = 'foreign key ' || k.tbl || '.' || k.conname;
  END LOOP;
END $$;
CREATE FUNCTION pb_children_of_deleted_projects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM patches WHERE project_id IN (SELECT id FROM gone);
  DELETE FROM covers WHERE project_id IN (SELECT id FROM gone);
  DELETE FROM series WHERE project_id IN (SELECT id FROM gone);
  DELETE FROM series_references WHERE project_id IN (SELECT id FROM gone);
  DELETE FROM held_mails WHERE project_id IN (SELECT id FROM gone);
  DELETE FROM comment_refs WHERE project_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_children_of_deleted_people() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM patches WHERE submitter_id IN (SELECT id FROM gone);
  DELETE FROM covers WHERE submitter_id IN (SELECT id FROM gone);
  DELETE FROM series WHERE submitter_id IN (SELECT id FROM gone);
  DELETE FROM patch_comments WHERE submitter_id IN (SELECT id FROM gone);
  DELETE FROM cover_comments WHERE submitter_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_children_of_deleted_series() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM patches WHERE series_id IN (SELECT id FROM gone);
  DELETE FROM series_references WHERE series_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_children_of_deleted_patches() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM patch_comments WHERE patch_id IN (SELECT id FROM gone);
  DELETE FROM patch_tags WHERE patch_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_children_of_deleted_covers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM cover_comments WHERE cover_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE FUNCTION pb_children_of_deleted_held_mails() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM held_mail_refs WHERE held_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
CREATE TRIGGER projects_children_follow AFTER DELETE ON projects REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_children_of_deleted_projects();
CREATE TRIGGER people_children_follow AFTER DELETE ON people REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_children_of_deleted_people();
CREATE TRIGGER series_children_follow AFTER DELETE ON series REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_children_of_deleted_series();
CREATE TRIGGER patches_children_follow AFTER DELETE ON patches REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_children_of_deleted_patches();
CREATE TRIGGER covers_children_follow AFTER DELETE ON covers REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_children_of_deleted_covers();
CREATE TRIGGER held_mails_children_follow AFTER DELETE ON held_mails REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pb_children_of_deleted_held_mails();
)SQL"},
    // A reply moved to a better parent (service/comment_homes.cc) moves
    // its event by comment id, and a cover comment turned patch comment
    // deletes its event (migration 18's trigger; before, the foreign key's
    // cascade): with no index on these columns each was a scan of every
    // event, a fifth of a millisecond at 7,000 events and linear in the
    // table. Partial: only comment events have them, so inserting any other
    // event costs no index entry. PostgreSQL only, as the ingest that moves
    // replies there is the one with two ingesters (§9m).
    {20, "Events by comment on PostgreSQL", "", R"SQL(
CREATE INDEX events_cover_comment ON events (cover_comment_id) WHERE cover_comment_id IS NOT NULL;
CREATE INDEX events_patch_comment ON events (patch_comment_id) WHERE patch_comment_id IS NOT NULL;
)SQL"},
    // On SQLite each stored patch wrote thirteen index entries and each
    // event six: most of the archive ingest's b-tree work
    // (docs/performance.md, parsearchive round 8). Three single-column
    // indexes are prefixes of a UNIQUE constraint's autoindex, and one is
    // that autoindex's twin; the autoindexes serve every look-up and
    // foreign-key scan they served (migration 17 did the same on
    // PostgreSQL). Four are on columns that are NULL for most rows an ingest
    // writes (no patch arrives with a relation, no series knows its previous
    // revision when made, and an event names a patch, a series or a cover,
    // seldom two): partial, they skip those rows. Every query of these
    // columns, and every foreign key's cascade, compares them with = or IN,
    // which implies NOT NULL, so SQLite still picks them. patches_delegate
    // stays whole: the "Nobody" delegate filter (delegate_id IS NULL) seeks
    // it when no project narrows the list. SQLite only: PostgreSQL has no
    // such duplicates left.
    {21, "Fewer index entries per patch and event on SQLite", R"SQL(
DROP INDEX patches_msgid;
DROP INDEX patches_series;
DROP INDEX patch_comments_msgid;
DROP INDEX cover_comments_msgid;
DROP INDEX patches_related;
CREATE INDEX patches_related ON patches (related_id) WHERE related_id IS NOT NULL;
DROP INDEX series_previous;
CREATE INDEX series_previous ON series (previous_id) WHERE previous_id IS NOT NULL;
DROP INDEX events_patch;
CREATE INDEX events_patch ON events (patch_id) WHERE patch_id IS NOT NULL;
DROP INDEX events_series;
CREATE INDEX events_series ON events (series_id) WHERE series_id IS NOT NULL;
DROP INDEX events_cover;
CREATE INDEX events_cover ON events (cover_id) WHERE cover_id IS NOT NULL;
)SQL", ""},
    // Migration 21's partial indexes on PostgreSQL. Every event a batch of
    // parsearchive writes, in the one transaction that holds the write
    // lock, took seven index entries, three of them for a NULL (an event
    // names a patch, a series or a cover, seldom two); no patch arrives
    // with a relation, and no series knows its previous revision when
    // made. Each index entry is work done while a second ingester waits
    // for that lock (docs/performance.md §9q). Every query of these
    // columns, the API's filters and the cascade triggers of migrations
    // 18-19 alike, compares them with = or IN, which implies NOT NULL, so
    // the planner still proves the partial index usable.
    {22, "Partial indexes of events, patch relations and revisions on PostgreSQL", "", R"SQL(
DROP INDEX events_patch;
CREATE INDEX events_patch ON events (patch_id) WHERE patch_id IS NOT NULL;
DROP INDEX events_series;
CREATE INDEX events_series ON events (series_id) WHERE series_id IS NOT NULL;
DROP INDEX events_cover;
CREATE INDEX events_cover ON events (cover_id) WHERE cover_id IS NOT NULL;
DROP INDEX patches_related;
CREATE INDEX patches_related ON patches (related_id) WHERE related_id IS NOT NULL;
DROP INDEX series_previous;
CREATE INDEX series_previous ON series (previous_id) WHERE previous_id IS NOT NULL;
)SQL"},
    // The mail tables' rows stay whole up to 4,080 bytes on PostgreSQL.
    // At the default target (2,032) a row past it had its texts compressed
    // and, if still too long, moved to TOAST chunks, and a mail's headers
    // alone are 2-3 KB: most replies and many patches paid that under the
    // write lock. With the reference look-up of §9r, 5.5 % of the ingest
    // backend's instructions over 1,000 mails (docs/performance.md §9r).
    // 4,080 is the most that still puts two rows on one 8 KB page, so rows
    // of 2-4 KB cost about the disk they did compressed (linuxppc-dev's
    // 5,000 mails: 43.4 → 43.8 MB, WAL 36.8 → 36.2 MB); at 8,160 every row
    // up to a page would stay uncompressed (55.9 MB).
    // Longer rows are compressed and moved out as before. Only rows
    // written from now on are stored this way; SQLite does not compress.
    //
    // And events follow explicit ids once per statement: a batch inserts
    // all its events in one statement (db::InsertEvents), and migration 8's
    // row trigger ran its plpgsql for each of them (13,000 instructions an
    // event); a statement trigger reads the statement's largest id from
    // its transition table. A default id is never above the sequence, so
    // only explicit ids (patchbay import, test fixtures) move it, as before,
    // but after their statement rather than after each row.
    // PostgreSQL only, as both are.
    {23, "Mail rows up to 4 KB stored whole, events' ids followed per statement on PostgreSQL", "",
     R"SQL(
ALTER TABLE patches SET (toast_tuple_target = 4080);
ALTER TABLE patch_comments SET (toast_tuple_target = 4080);
ALTER TABLE covers SET (toast_tuple_target = 4080);
ALTER TABLE cover_comments SET (toast_tuple_target = 4080);
ALTER TABLE held_mails SET (toast_tuple_target = 4080);
CREATE FUNCTION pb_follow_ids() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE top bigint;
BEGIN
  SELECT MAX(id) INTO top FROM pb_new_rows;
  IF top > COALESCE(pg_sequence_last_value(TG_ARGV[0]::regclass), 0) THEN
    PERFORM setval(TG_ARGV[0]::regclass, top);
  END IF;
  RETURN NULL;
END $$;
DROP TRIGGER events_follow_id ON events;
DO $$
BEGIN
  EXECUTE format('CREATE TRIGGER events_follow_ids AFTER INSERT ON events '
                 'REFERENCING NEW TABLE AS pb_new_rows FOR EACH STATEMENT '
                 'EXECUTE FUNCTION pb_follow_ids(%L)', pg_get_serial_sequence('events', 'id'));
END $$;
)SQL"},
};

const TriggerKey kTriggerKeptKeys[] = {
    {"events", "project_id", "projects"},
    {"events", "actor_id", "users"},
    {"events", "patch_id", "patches"},
    {"events", "series_id", "series"},
    {"events", "cover_id", "covers"},
    {"events", "previous_state_id", "states"},
    {"events", "current_state_id", "states"},
    {"events", "previous_delegate_id", "users"},
    {"events", "current_delegate_id", "users"},
    {"events", "previous_relation_id", "patch_relations"},
    {"events", "current_relation_id", "patch_relations"},
    {"events", "created_check_id", "checks"},
    {"events", "cover_comment_id", "cover_comments"},
    {"events", "patch_comment_id", "patch_comments"},
    {"patches", "project_id", "projects"},
    {"patches", "submitter_id", "people"},
    {"patches", "series_id", "series"},
    {"covers", "project_id", "projects"},
    {"covers", "submitter_id", "people"},
    {"series", "project_id", "projects"},
    {"series", "submitter_id", "people"},
    {"series_references", "project_id", "projects"},
    {"series_references", "series_id", "series"},
    {"patch_comments", "patch_id", "patches"},
    {"patch_comments", "submitter_id", "people"},
    {"cover_comments", "cover_id", "covers"},
    {"cover_comments", "submitter_id", "people"},
    {"patch_tags", "patch_id", "patches"},
    {"held_mails", "project_id", "projects"},
    {"held_mail_refs", "held_id", "held_mails"},
    {"comment_refs", "project_id", "projects"},
};

std::string Expand(std::string sql, Dialect d) {
  auto replace = [&](std::string_view token, std::string_view with) {
    for (size_t pos = 0; (pos = sql.find(token, pos)) != std::string::npos;) {
      sql.replace(pos, token.size(), with);
      pos += with.size();
    }
  };
  if (d == Dialect::kSqlite) {
    replace("{{ID}}", "INTEGER PRIMARY KEY");
    replace("{{BLOB}}", "BLOB");
  } else {
    replace("{{ID}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    replace("{{BLOB}}", "BYTEA");
  }
  return sql;
}

}  // namespace

std::span<const TriggerKey> TriggerKeptKeys() { return kTriggerKeptKeys; }

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

int CurrentSchemaVersion(Connection& conn) {
  conn.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied BIGINT NOT NULL)");
  return static_cast<int>(
      QueryInt(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").value_or(0));
}

namespace {

// Several processes may start at once (serve workers, parsemail from the
// MTA): on PostgreSQL one migrates while the others wait on this lock, then
// find nothing left to do. (On SQLite, BEGIN IMMEDIATE serialises them.)
class MigrationLock {
 public:
  explicit MigrationLock(Connection& c) : c_(c) {
    if (c_.dialect() == Dialect::kPostgres) c_.ExecScript("SELECT pg_advisory_lock(7050727)");
  }
  ~MigrationLock() {
    if (c_.dialect() != Dialect::kPostgres) return;
    try { c_.ExecScript("SELECT pg_advisory_unlock(7050727)"); } catch (...) {}
  }

 private:
  Connection& c_;
};

// The migration a newer binary would bring, for tests of a rolling upgrade
// (`patchbay migrate` while older processes serve: tests/integration/
// migrate_while_serving.py). Only with PATCHBAY_TEST_EXTRA_MIGRATION set; it
// does what real migrations do to the busiest tables: a column with a
// default, a new table, an index.
const Migration kTestOnlyMigration = {
    0, "Test only: a newer binary's migration", R"SQL(
ALTER TABLE patches ADD COLUMN test_extra INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN test_extra TEXT NOT NULL DEFAULT '';
CREATE TABLE test_extra (
  id {{ID}},
  patch_id BIGINT NOT NULL REFERENCES patches(id) ON DELETE CASCADE,
  note TEXT NOT NULL
);
CREATE INDEX test_extra_patch ON test_extra (patch_id);
)SQL"};

std::vector<Migration> AllMigrations() {
  std::vector<Migration> all(std::begin(kMigrations), std::end(kMigrations));
  if (const char* extra = std::getenv("PATCHBAY_TEST_EXTRA_MIGRATION"); extra && *extra) {
    all.push_back(kTestOnlyMigration);
    all.back().version = LatestSchemaVersion() + 1;
  }
  return all;
}

// On PostgreSQL a migration's DDL takes ACCESS EXCLUSIVE locks table by
// table while serving processes hold shared locks on others for a request's
// snapshot: waiting for them could deadlock, and the deadlock detector
// (after deadlock_timeout, 1 s) might pick the reader. Waiting at most this
// long per lock, well under a second, makes the migration the one that
// gives way: it rolls back and tries again, and requests only wait.
constexpr const char* kPostgresMigrationLockWait = "SET LOCAL lock_timeout = '200ms'";
constexpr int kLockAttempts = 100;

// Applies one migration in its own transaction; false when another process
// had already applied it.
bool ApplyOne(Connection& conn, const Migration& m) {
  Transaction tx(conn);
  if (conn.dialect() == Dialect::kPostgres) conn.ExecScript(kPostgresMigrationLockWait);
  // Another process may have migrated while we waited for the write lock.
  if (QueryInt(conn, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?1", m.version)
          .value_or(0) > 0) {
    return false;
  }
  const char* sql = conn.dialect() == Dialect::kPostgres && m.postgres_sql ? m.postgres_sql : m.sql;
  if (*sql) conn.ExecScript(Expand(sql, conn.dialect()));
  Query(conn, "INSERT INTO schema_migrations (version, description, applied) VALUES (?1, ?2, ?3)",
        m.version, m.description, NowMicros())
      .Run();
  tx.Commit();
  return true;
}

}  // namespace

Result<int> Migrate(Connection& conn) {
  try {
    int applied = 0;
    MigrationLock lock(conn);
    int current = CurrentSchemaVersion(conn);
    for (const auto& m : AllMigrations()) {
      if (m.version <= current) continue;
      for (int attempt = 1;; ++attempt) {
        try {
          if (ApplyOne(conn, m)) ++applied;
          break;
        } catch (const DbError& e) {
          if (e.kind() != DbError::Kind::kBusy || attempt == kLockAttempts) throw;
          // Let the requests that held the locks finish (20 ms .. 1 s).
          std::this_thread::sleep_for(std::chrono::milliseconds(std::min(20 * attempt, 1000)));
        }
      }
    }
    return applied;
  } catch (const DbError& e) {
    // Unreachable is not a failed migration: let the caller tell them apart.
    if (e.kind() == DbError::Kind::kUnavailable) throw;
    return Status::Database(std::string("migration failed (rolled back): ") + e.what());
  }
}

}  // namespace pb::db
