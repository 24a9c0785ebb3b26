-- A run's tasks were also kept a row each, beside its RunInfo, which holds them all: nothing read
-- the rows but a count, and writing them was more than half of what recording a run cost (H2, 256
-- runs a transaction: 76 to 35 us a run of 4 tasks, 958 to 159 us a run of 100; BENCHMARKS, "The
-- run history"). tasks.csv and GetRun read the RunInfo.
DROP TABLE run_tasks;
