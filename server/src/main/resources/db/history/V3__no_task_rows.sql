-- A run's tasks were also kept a row each, beside its RunInfo, which holds them all: nothing read
-- the rows but a count, and writing them was about a quarter of what keeping a short run cost
-- (BENCHMARKS, "the per-call path"). tasks.csv and GetRun read the RunInfo.
DROP TABLE run_tasks;
