-- What the runs add up to, kept with every write and delete: a retention pass reads this row
-- instead of summing stored_bytes over every run, which read the whole table, blobs and all, once
-- a minute (a third of the writer's time at 80,000 runs; BENCHMARKS, "The run history").
CREATE TABLE run_totals (
  name VARCHAR(64) PRIMARY KEY,
  runs BIGINT NOT NULL,
  stored_bytes BIGINT NOT NULL
);
INSERT INTO run_totals (name, runs, stored_bytes)
  SELECT 'runs', COUNT(*), COALESCE(SUM(stored_bytes), 0) FROM runs;
