CREATE OR REPLACE VIEW session_duration_by_referrer_host AS
-- Session duration per referrer host (null: sessions without a referrer), as session_duration_by_referrer_host
-- in metrics/orders.json, to the last bit. Median as in 20_metrics_orders.sql. p90 as Percentiles.continuous
-- in Java (like percentile_cont): position = 0.9 * (n - 1) in double arithmetic, lower = floor(position),
-- value = v[lower] + (position - lower) * (v[lower + 1] - v[lower]), or v[n - 1] when lower >= n - 1
-- (v 0-based here, rn 1-based below). CAST(0.9 AS DOUBLE): a bare 0.9 is a DECIMAL in Trino and DuckDB.
WITH
ranked AS (
  SELECT
    referrer_host,
    duration_seconds / 60e0 AS minutes,
    row_number() OVER (PARTITION BY referrer_host ORDER BY duration_seconds) AS rn,
    count(*) OVER (PARTITION BY referrer_host) AS n
  FROM sessions
),
positioned AS (
  SELECT
    referrer_host,
    minutes,
    rn,
    n,
    CAST(0.9 AS DOUBLE) * (n - 1) AS p90_position,
    CAST(floor(CAST(0.9 AS DOUBLE) * (n - 1)) AS BIGINT) AS p90_lower
  FROM ranked
),
by_host AS (
  SELECT
    referrer_host,
    n,
    p90_position,
    p90_lower,
    (max(CASE WHEN 2 * rn IN (n, n + 1) THEN minutes END)
      + max(CASE WHEN 2 * rn IN (n + 1, n + 2) THEN minutes END)) / 2e0 AS median_minutes,
    max(CASE WHEN rn = p90_lower + 1 THEN minutes END) AS p90_below,
    max(CASE WHEN rn = p90_lower + 2 THEN minutes END) AS p90_above,
    max(CASE WHEN rn = n THEN minutes END) AS longest
  FROM positioned
  GROUP BY referrer_host, n, p90_position, p90_lower
)
SELECT
  referrer_host,
  n AS sessions,
  -- minutes rounded once, at the end, to 0.01 minute, as in 20_metrics_orders.sql (§5)
  floor(median_minutes * 100e0 + 5e-1) / 100e0 AS median_minutes,
  floor(
    CASE
      WHEN p90_lower >= n - 1 THEN longest
      ELSE p90_below + (p90_position - p90_lower) * (p90_above - p90_below)
    END * 100e0 + 5e-1) / 100e0 AS p90_minutes
FROM by_host
