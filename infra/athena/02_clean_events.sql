CREATE EXTERNAL TABLE IF NOT EXISTS ${DATABASE}.clean_events (
  event_id bigint,
  event_type string,
  customer_id bigint,
  event_time timestamp,
  user_agent string,
  ip string,
  page string,
  referrer string,
  query string,
  product string,
  position int,
  attributes string
)
COMMENT 'sessionlake accepted events (SPEC 2, 6), typed, each once; dt is the UTC date of event_time'
PARTITIONED BY (dt string)
STORED AS PARQUET
LOCATION 's3://${BUCKET}/clean_events/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2020-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${BUCKET}/clean_events/dt=${dt}/'
)
