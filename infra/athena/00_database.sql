CREATE DATABASE IF NOT EXISTS ${DATABASE}
COMMENT 'sessionlake: sessionized web-shop click events'
