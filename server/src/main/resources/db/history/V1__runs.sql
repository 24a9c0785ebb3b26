-- The run history: one row per finished run with the figures a list, a chart or a baseline reads,
-- its tasks one row each, its profile's collapsed stacks; the whole RunInfo as GetRun answers it,
-- gzipped, so nothing the contract says about a run is lost. One file for both databases: the two
-- types they spell differently are Flyway placeholders (RunStore sets them per vendor).
CREATE TABLE runs (
  run_id BIGINT PRIMARY KEY,
  replica VARCHAR(255) NOT NULL,
  method VARCHAR(64) NOT NULL,
  kernel VARCHAR(255) NOT NULL,
  pool VARCHAR(64) NOT NULL,
  parallelism INTEGER NOT NULL,
  nums ${text} NOT NULL,
  workload CHAR(16) NOT NULL,
  state VARCHAR(64) NOT NULL,
  accepted_micros BIGINT NOT NULL,
  ended_micros BIGINT NOT NULL,
  wall_nanos BIGINT,
  speedup DOUBLE PRECISION,
  speedup_low DOUBLE PRECISION,
  speedup_high DOUBLE PRECISION,
  attainment DOUBLE PRECISION,
  verdict VARCHAR(64),
  stored_bytes INTEGER NOT NULL,
  info ${bytes} NOT NULL
);
CREATE INDEX runs_by_workload ON runs (workload, ended_micros, run_id);
CREATE INDEX runs_by_end ON runs (ended_micros, run_id);

CREATE TABLE run_tasks (
  run_id BIGINT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  round INTEGER NOT NULL,
  phase VARCHAR(64) NOT NULL,
  task_index INTEGER NOT NULL,
  n BIGINT NOT NULL,
  worker VARCHAR(255) NOT NULL,
  start_offset_nanos BIGINT NOT NULL,
  duration_nanos BIGINT NOT NULL,
  cpu_nanos BIGINT NOT NULL,
  core_wait_nanos BIGINT NOT NULL,
  PRIMARY KEY (run_id, round, phase, task_index)
);

CREATE TABLE run_profiles (
  run_id BIGINT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  phase VARCHAR(64) NOT NULL,
  engine VARCHAR(255) NOT NULL,
  samples BIGINT NOT NULL,
  period_nanos BIGINT NOT NULL,
  collapsed ${bytes} NOT NULL,
  PRIMARY KEY (run_id, phase)
);

-- Run ids are handed out in blocks, so replicas sharing one history never give two runs one id.
CREATE TABLE run_id_blocks (
  name VARCHAR(64) PRIMARY KEY,
  next_id BIGINT NOT NULL
);
INSERT INTO run_id_blocks (name, next_id) VALUES ('runs', 1);
