\startpipeline
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT generation FROM data_generation WHERE id = 1;
\endpipeline
\startpipeline
SELECT patch_id, user_id, context, state, date FROM checks WHERE patch_id IN (SELECT p.id AS pid FROM patches p WHERE 1=1 AND p.project_id = 7 AND p.state_id = 1 ORDER BY p.date DESC, p.id LIMIT 30 OFFSET 0) ORDER BY patch_id, id;
SELECT p.id, p.project_id, p.msgid, p.name, p.date, p.commit_ref, p.pull_url, p.archived, p.hash, p.state_id, p.related_id, s.id, s.name, s.email, d.id, d.username, d.first_name, d.last_name, d.email, sr.id, sr.date, sr.name, sr.version, sr.project_id, i.n FROM (SELECT pid, row_number() OVER () AS n FROM (SELECT p.id AS pid FROM patches p WHERE 1=1 AND p.project_id = 7 AND p.state_id = 1 ORDER BY p.date DESC, p.id LIMIT 30 OFFSET 0) q) i JOIN patches p ON p.id = i.pid JOIN LATERAL (SELECT id, name, email FROM people WHERE id = p.submitter_id OFFSET 0) s ON TRUE LEFT JOIN users d ON d.id = p.delegate_id LEFT JOIN series sr ON sr.id = p.series_id;
\endpipeline
\startpipeline
ROLLBACK;
\endpipeline
