CREATE OR REPLACE VIEW session_events AS
-- Each accepted event with the current session it belongs to: the session of the same customer whose
-- [session_start, session_end] holds the event time. Sessions of one customer are more than the
-- inactivity timeout apart, so there is exactly one. LEFT JOIN: an event without a session would
-- show up with a null session_id instead of silently disappearing.
SELECT
  e.event_id,
  e.event_type,
  e.customer_id,
  e.event_time,
  e.user_agent,
  e.ip,
  e.page,
  e.referrer,
  e.query,
  e.product,
  e.position,
  e.attributes,
  e.dt,
  s.session_id,
  s.session_number,
  s.session_start,
  s.session_end,
  s.has_order AS session_has_order,
  s.referrer_host AS session_referrer_host
FROM clean_events e
LEFT JOIN sessions s
  ON s.customer_id = e.customer_id
  AND e.event_time BETWEEN s.session_start AND s.session_end
