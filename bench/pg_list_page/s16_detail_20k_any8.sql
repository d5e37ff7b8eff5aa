\set i1 random(1, 20000) * 50
\set i2 random(1, 20000) * 50
\set i3 random(1, 20000) * 50
\set i4 random(1, 20000) * 50
\set i5 random(1, 20000) * 50
\set i6 random(1, 20000) * 50
\set i7 random(1, 20000) * 50
\set i8 random(1, 20000) * 50
SELECT p.id, p.project_id, p.msgid, p.name, p.date, p.commit_ref, p.pull_url, p.archived, p.hash, p.state_id, p.related_id, s.id, s.name, s.email, d.id, d.username, d.first_name, d.last_name, d.email, sr.id, sr.date, sr.name, sr.version, sr.project_id, p.headers, p.content, p.diff, (SELECT generation FROM data_generation WHERE id = 1), array_to_string(ARRAY(SELECT c.id || ' ' || c.user_id || ' ' || c.state || ' ' || c.date || ' ' || length(c.context) || ':' || c.context FROM checks c WHERE c.patch_id = p.id), ''), array_to_string(ARRAY(SELECT r.id || ' ' || r.project_id || ' ' || r.date || ' ' || length(r.msgid) || ':' || r.msgid || length(r.name) || ':' || r.name FROM patches r WHERE r.related_id = p.related_id), '') FROM patches p JOIN people s ON s.id = p.submitter_id LEFT JOIN LATERAL (SELECT id, username, first_name, last_name, email FROM users WHERE id = p.delegate_id OFFSET 0) d ON TRUE LEFT JOIN series sr ON sr.id = p.series_id WHERE p.id = ANY(ARRAY[:i1,:i2,:i3,:i4,:i5,:i6,:i7,:i8]::bigint[]);
