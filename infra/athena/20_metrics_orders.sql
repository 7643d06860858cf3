CREATE OR REPLACE VIEW metrics_orders AS
-- The order metrics of SPEC 5 in one row, the same numbers as metrics/orders.json to the last bit.
-- Medians are taken as the Java code takes them: sort, then the middle value, or (a + b) / 2 of the two
-- middle values. With rn the 1-based rank and n the count, the lower middle row has 2 * rn IN (n, n + 1)
-- and the upper middle row 2 * rn IN (n + 1, n + 2); for an odd n both are the middle row and
-- (m + m) / 2 = m exactly. Over no values every median is null.
-- Minutes are rounded at the end to 0.01 minute, as PublishedMinutes does: floor(m * 100e0 + 5e-1) / 100e0.
-- Literals are doubles (60e0, 1e6, 2e0, 5e-1): 60.0 would be a DECIMAL in both Trino and DuckDB.
WITH
customer_first_order AS (
  -- one row per customer with a session; first_order_start is null for customers who never bought
  SELECT
    customer_id,
    min(CASE WHEN has_order THEN session_start END) AS first_order_start
  FROM sessions
  GROUP BY customer_id
),
sessions_before_order AS (
  SELECT
    s.customer_id,
    s.duration_seconds / 60e0 AS minutes,
    -- exact integer microseconds back from the double seconds, so that sums are exact as in Java
    CAST(round(s.duration_seconds * 1e6) AS BIGINT) AS duration_micros
  FROM sessions s
  JOIN customer_first_order f
    ON f.customer_id = s.customer_id
  WHERE s.session_start < f.first_order_start
),
purchasing_customer AS (
  SELECT
    f.customer_id,
    count(b.customer_id) AS visits_before_order,
    CAST(coalesce(sum(b.duration_micros), 0) AS BIGINT) AS total_micros_before_order
  FROM customer_first_order f
  LEFT JOIN sessions_before_order b
    ON b.customer_id = f.customer_id
  WHERE f.first_order_start IS NOT NULL
  GROUP BY f.customer_id
),
ranked_visits AS (
  SELECT
    CAST(visits_before_order AS DOUBLE) AS v,
    row_number() OVER (ORDER BY visits_before_order) AS rn,
    count(*) OVER () AS n
  FROM purchasing_customer
),
ranked_session_minutes AS (
  SELECT
    minutes AS v,
    row_number() OVER (ORDER BY minutes) AS rn,
    count(*) OVER () AS n
  FROM sessions_before_order
),
ranked_total_minutes AS (
  SELECT
    (CAST(total_micros_before_order AS DOUBLE) / 1e6) / 60e0 AS v,
    row_number() OVER (ORDER BY total_micros_before_order) AS rn,
    count(*) OVER () AS n
  FROM purchasing_customer
),
counts AS (
  SELECT
    count(*) AS customers,
    count(first_order_start) AS purchasing_customers
  FROM customer_first_order
),
session_count AS (
  SELECT count(*) AS sessions FROM sessions
),
before_order_count AS (
  SELECT count(*) AS sessions_before_order FROM sessions_before_order
),
median_visits AS (
  SELECT
    (max(CASE WHEN 2 * rn IN (n, n + 1) THEN v END)
      + max(CASE WHEN 2 * rn IN (n + 1, n + 2) THEN v END)) / 2e0 AS median
  FROM ranked_visits
),
median_session_minutes AS (
  SELECT
    (max(CASE WHEN 2 * rn IN (n, n + 1) THEN v END)
      + max(CASE WHEN 2 * rn IN (n + 1, n + 2) THEN v END)) / 2e0 AS median
  FROM ranked_session_minutes
),
median_total_minutes AS (
  SELECT
    (max(CASE WHEN 2 * rn IN (n, n + 1) THEN v END)
      + max(CASE WHEN 2 * rn IN (n + 1, n + 2) THEN v END)) / 2e0 AS median
  FROM ranked_total_minutes
)
SELECT
  counts.customers,
  session_count.sessions,
  counts.purchasing_customers,
  median_visits.median AS median_visits_before_order,
  -- minutes rounded once, at the end, to 0.01 minute, with the metrics object's arithmetic (§5)
  floor(median_session_minutes.median * 100e0 + 5e-1) / 100e0 AS median_session_duration_minutes_before_order,
  floor(median_total_minutes.median * 100e0 + 5e-1) / 100e0 AS median_total_minutes_before_order,
  counts.purchasing_customers AS customers_with_order,
  before_order_count.sessions_before_order
FROM counts
CROSS JOIN session_count
CROSS JOIN before_order_count
CROSS JOIN median_visits
CROSS JOIN median_session_minutes
CROSS JOIN median_total_minutes
