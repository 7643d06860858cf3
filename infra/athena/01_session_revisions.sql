CREATE EXTERNAL TABLE IF NOT EXISTS ${DATABASE}.session_revisions (
  session_id string,
  customer_id bigint,
  session_start timestamp,
  session_end timestamp,
  duration_seconds double,
  event_count int,
  page_view_count int,
  search_count int,
  add_to_cart_count int,
  remove_from_cart_count int,
  order_count int,
  has_order boolean,
  landing_page string,
  referrer string,
  referrer_host string,
  user_agent string,
  ip string,
  session_number int,
  revision bigint,
  is_deleted boolean
)
COMMENT 'sessionlake session revisions (SPEC 6), append-only: query the view sessions for the current sessions'
PARTITIONED BY (dt string)
STORED AS PARQUET
LOCATION 's3://${BUCKET}/sessions/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2020-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${BUCKET}/sessions/dt=${dt}/'
)
