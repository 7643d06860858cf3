CREATE OR REPLACE VIEW sessions AS
-- The current sessions (SPEC 6): per session_id the revision with the highest number, unless that
-- revision is a tombstone. dt is in the window partition only so that a filter on dt reaches the
-- partitions (Trino pushes predicates through a window only on its PARTITION BY columns); it changes
-- nothing else, because all revisions of a session_id share one dt (the UTC date of its start).
-- Identical rows written twice by a retried run are one row here.
SELECT
  session_id,
  customer_id,
  session_start,
  session_end,
  duration_seconds,
  event_count,
  page_view_count,
  search_count,
  add_to_cart_count,
  remove_from_cart_count,
  order_count,
  has_order,
  landing_page,
  referrer,
  referrer_host,
  user_agent,
  ip,
  session_number,
  revision,
  dt
FROM (
  SELECT
    r.*,
    row_number() OVER (PARTITION BY r.session_id, r.dt ORDER BY r.revision DESC) AS revision_rank
  FROM session_revisions r
) ranked
WHERE revision_rank = 1
  AND NOT is_deleted
