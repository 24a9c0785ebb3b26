package dev.fibperf.server.service;

import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.exec.Task;
import java.util.List;

/**
 * A validated request: the tasks, the kernel and how many may run at once.
 *
 * @param tasks one per entry of {@code nums}, defaults applied
 * @param algorithm the kernel
 * @param parallelism most tasks in flight for parallel runs, within the pool's size
 * @param pool where parallel runs go
 */
record Workload(List<Task> tasks, Algorithm algorithm, int parallelism, PoolKind pool) {}
