package dev.fibperf.server.run;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.fibperf.server.analysis.AcrossCompares;
import dev.fibperf.server.analysis.RatioInterval;
import dev.fibperf.server.analysis.RoundPolicy;
import dev.fibperf.server.analysis.RoundsAnalysis;
import dev.fibperf.server.analysis.SpeedupAnalysis;
import dev.fibperf.server.exec.PhaseExecution;
import dev.fibperf.server.exec.RunClock;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.TaskContext;
import dev.fibperf.server.exec.TaskEvent;
import dev.fibperf.server.exec.TaskPool;
import dev.fibperf.server.exec.TaskResult;
import dev.fibperf.server.exec.TaskStart;
import dev.fibperf.server.run.RunOutcome.PhaseOutcome;
import dev.fibperf.server.run.RunSpec.PhasePlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One admitted run: its phases one after another, each on a pool lease and, if asked, under the
 * profiler. Publishes a {@link RunEvent} for everything that happens and completes {@link
 * #outcome()} last, after its run slot is free and every event has been published.
 *
 * <p>Thread-safe. Created by {@link Runner#admit}.
 */
public final class ActiveRun {
  private final long id;
  private final RunSpec spec;
  private final RunContext context;
  private final RunClock clock;
  private final CompletableFuture<RunOutcome> outcome = new CompletableFuture<>();
  private final List<AutoCloseable> cleanup = new CopyOnWriteArrayList<>();
  private volatile PhaseExecution current;
  private volatile boolean cancelled;
  private volatile CompletableFuture<Isolation.Hold> hold;
  // Written by the phase chain, read when it ends: both on the chain's thread of completion.
  private volatile Duration isolationWait = Duration.ZERO;
  private volatile Duration warmup = Duration.ZERO;
  private volatile Duration warmupPoolStartup = Duration.ZERO;
  // The estimate after the previous round, for the stopping rule; written by the round chain.
  private volatile RatioInterval lastEstimate;
  // A Compare's task events, phase summaries and round results, held until its rounds end.
  private final List<RunEvent> heldEvents = Collections.synchronizedList(new ArrayList<>());

  @GuardedBy("this")
  private boolean started;

  ActiveRun(RunContext context) {
    this.context = context;
    this.id = context.id();
    this.spec = context.spec();
    this.clock = context.house().clock();
  }

  public long id() {
    return id;
  }

  /**
   * Completes with the outcome, or fails with the cause of {@link RunEvent.Failed}: a {@link
   * CancellationException} after {@link #cancel()}, or what went wrong.
   */
  public CompletableFuture<RunOutcome> outcome() {
    return outcome;
  }

  /** Starts the first phase. Call once. */
  public void start() {
    start(Runnable::run);
  }

  /**
   * Announces the run ({@link RunEvent.Accepted}, on the calling thread, where listeners may read
   * the caller's context, e.g. its trace) and starts its first phase on {@code scheduling}. Call
   * once.
   */
  public void start(Executor scheduling) {
    synchronized (this) {
      if (started) {
        throw new IllegalStateException("run " + id + " already started");
      }
      started = true;
    }
    context.publish().accept(new RunEvent.Accepted(id, spec));
    scheduling.execute(this::begin);
  }

  private void begin() {
    long waitingSince = clock.nanoTime();
    CompletableFuture<Isolation.Hold> held =
        context.granted() != null
            ? CompletableFuture.completedFuture(context.granted())
            : context.house().isolation().acquire(spec.exclusive());
    hold = held;
    if (cancelled) {
      held.cancel(false); // cancel() ran before the hold existed
    }
    CompletableFuture<Void> ready =
        held.thenCompose(
            h -> {
              cleanup.add(h);
              isolationWait = Duration.ofNanos(clock.nanoTime() - waitingSince);
              return spec.kind() == RunKind.COMPARE
                  ? warmUp()
                  : CompletableFuture.completedFuture(null);
            });
    if (spec.kind() == RunKind.COMPARE) {
      ready
          .thenCompose(ignored -> rounds(clock.nanoTime(), new ArrayList<>(), null))
          .whenComplete(this::end);
      return;
    }
    CompletableFuture<List<PhaseOutcome>> phases = ready.thenApply(ignored -> List.of());
    for (PhasePlan plan : spec.phases()) {
      phases =
          phases.thenCompose(
              done -> {
                RunResult measured =
                    plan.schedule() == null ? null : done.get(done.size() - 1).result();
                return runPhase(plan, 1, measured).thenApply(p -> append(done, p));
              });
    }
    phases
        .thenApply(done -> new RunOutcome(id, spec, done, null, isolationWait, warmup, null, null))
        .whenComplete(this::end);
  }

  /**
   * Runs Compare rounds from round {@code done.size() + 1} until the round policy says stop, then
   * completes with the outcome. Rounds alternate their phases' order (ABBA); a parallel phase that
   * runs first orders its tasks by the previous round's serial measurements. Only the first round
   * is profiled.
   *
   * @param startNanos when the first round started
   * @param done the rounds so far (touched only by this chain, one round at a time)
   * @param firstRound the first round's phases, with their profiles; null before it ends
   */
  private CompletableFuture<RunOutcome> rounds(
      long startNanos, List<RoundsAnalysis.Round> done, List<PhaseOutcome> firstRound) {
    int number = done.size() + 1;
    PhasePlan serialPlan = spec.phases().get(0);
    PhasePlan parallelPlan = spec.phases().get(1);
    if (number > 1) {
      serialPlan = serialPlan.unprofiled();
      parallelPlan = parallelPlan.unprofiled();
    }
    PhasePlan serial = serialPlan;
    PhasePlan parallel = parallelPlan;
    CompletableFuture<List<PhaseOutcome>> phases;
    if (!RoundsAnalysis.parallelFirst(number)) {
      phases =
          runPhase(serial, number, null)
              .thenCompose(
                  s -> runPhase(parallel, number, s.result()).thenApply(p -> List.of(s, p)));
    } else {
      RunResult lastSerial = done.get(done.size() - 1).serial();
      phases =
          runPhase(parallel, number, lastSerial)
              .thenCompose(p -> runPhase(serial, number, null).thenApply(s -> List.of(s, p)));
    }
    return phases
        .thenCompose(
            pair -> sweep(parallel, number, pair).thenApply(points -> new Measured(pair, points)))
        .thenCompose(
            measured -> {
              List<PhaseOutcome> pair = measured.pair();
              RunResult s = pair.get(0).result();
              RunResult p = pair.get(1).result();
              RoundsAnalysis.Round round =
                  new RoundsAnalysis.Round(
                      number,
                      RoundsAnalysis.parallelFirst(number),
                      s,
                      p,
                      SpeedupAnalysis.of(
                          s, p, spec.schedule(), number == 1 ? warmupPoolStartup : Duration.ZERO),
                      measured.points());
              done.add(round);
              heldEvents.add(new RunEvent.RoundCompleted(id, round));
              List<PhaseOutcome> first = firstRound == null ? pair : firstRound;
              RoundPolicy policy = spec.rounds().seededBy(id);
              Duration spent = Duration.ofNanos(clock.nanoTime() - startNanos);
              RatioInterval estimate = RoundsAnalysis.speedupOf(done, policy.seed());
              Optional<RoundPolicy.StopReason> stop =
                  policy.stopAfter(done.size(), spent, estimate, lastEstimate);
              lastEstimate = estimate;
              if (stop.isEmpty()) {
                return rounds(startNanos, done, first);
              }
              releaseHeldEvents();
              return CompletableFuture.completedFuture(
                  compareOutcome(RoundsAnalysis.of(done, policy, stop.get()), first));
            });
  }

  /** A round's serial and full-width parallel phases, and its sweep's narrower ones. */
  private record Measured(List<PhaseOutcome> pair, List<RunResult> points) {}

  /**
   * With a sweep, the round's parallel phase again at 1, 2, ... workers below the full width the
   * pair just ran at: ascending in odd rounds, descending in even ones, so drift weighs on every
   * width alike. Completes with them in width order; at once, empty, without a sweep.
   */
  private CompletableFuture<List<RunResult>> sweep(
      PhasePlan parallel, int number, List<PhaseOutcome> pair) {
    int full = pair.get(1).result().parallelism();
    if (!spec.rounds().sweep() || full < 2) {
      return CompletableFuture.completedFuture(List.of());
    }
    RunResult serial = pair.get(0).result();
    RunResult[] points = new RunResult[full - 1];
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int i = 1; i < full; i++) {
      int width = RoundsAnalysis.parallelFirst(number) ? full - i : i;
      PhasePlan plan = parallel.withParallelism(width);
      chain =
          chain.thenCompose(
              ignored ->
                  runPhase(plan, number, serial)
                      .thenAccept(point -> points[width - 1] = point.result()));
    }
    return chain.thenApply(ignored -> List.of(points));
  }

  /** Publishes the Compare's events held back while its rounds ran, in the order they happened. */
  private void releaseHeldEvents() {
    List<RunEvent> events;
    synchronized (heldEvents) {
      events = new ArrayList<>(heldEvents);
      heldEvents.clear();
    }
    events.forEach(context.publish());
  }

  /** The Compare's outcome: the representative round's figures, the first round's profiles. */
  private RunOutcome compareOutcome(RoundsAnalysis rounds, List<PhaseOutcome> firstRound) {
    RoundsAnalysis.Round shown = rounds.rounds().get(rounds.representative());
    List<PhaseOutcome> phases =
        List.of(
            new PhaseOutcome(Phase.SERIAL, shown.serial(), firstRound.get(0).profile()),
            new PhaseOutcome(Phase.PARALLEL, shown.parallel(), firstRound.get(1).profile()));
    AcrossCompares across =
        AcrossCompares.of(
                AcrossCompares.headline(
                    rounds.verdict(),
                    rounds.speedup().estimate(),
                    rounds.coreWaitRemoved() == null
                        ? Double.NaN
                        : rounds.coreWaitRemoved().estimate()),
                context
                    .house()
                    .pastCompares()
                    .headlineSpeedups(
                        id, shown.parallel().parallelism(), AcrossCompares.MAX_COMPARES - 1))
            .orElse(null);
    return new RunOutcome(
        id, spec, phases, shown.analysis(), isolationWait, warmup, rounds, across);
  }

  /**
   * Untimed tasks on every pool the phases use, so the serial phase is not timed while the kernel
   * is still interpreted or compiling: a fresh server's first Compare then measures what later ones
   * do.
   */
  private CompletableFuture<Void> warmUp() {
    long t0 = clock.nanoTime();
    CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
    for (PhasePlan plan : spec.phases()) {
      done = done.thenCompose(ignored -> warmUp(plan));
    }
    return done.thenRun(() -> warmup = Duration.ofNanos(clock.nanoTime() - t0));
  }

  private CompletableFuture<Void> warmUp(PhasePlan plan) {
    long waitingSince = clock.nanoTime();
    return pool(plan)
        .acquireAsync()
        .thenCompose(
            lease -> {
              if (lease.cold()) {
                warmupPoolStartup = warmupPoolStartup.plusNanos(clock.nanoTime() - waitingSince);
              }
              int parallelism = parallelism(plan, lease);
              return launch(
                      PhaseExecution.newBuilder()
                          .tasks(Warmup.tasks(spec.algorithm(), spec.tasks(), parallelism))
                          .algorithm(spec.algorithm())
                          .parallelism(parallelism)
                          .pool(lease)
                          .clock(clock)
                          .context(taskContext(TaskContext.NONE)))
                  .thenApply(untimed -> null);
            });
  }

  private TaskPool pool(PhasePlan plan) {
    return context.house().pools().get(plan.pool());
  }

  /** What every task of this run tells its kernel, beside what the phase's profiler adds. */
  private TaskContext taskContext(TaskContext profiled) {
    return profiled.withDeadline(context.deadlineNanoTime()).withRunId(id);
  }

  /**
   * Whether the run, once begun, is still short of dispatching its tasks: waiting for the workers
   * or for its pool to start, or warming up (a Compare). Read right after it began, on the thread
   * that began it, it says whether the caller will wait before the first task.
   */
  public boolean waitsBeforeItsTasks() {
    return spec.kind() == RunKind.COMPARE || current == null;
  }

  /** Hands out more tasks if the caller has room again. Cheap; call whenever it may have. */
  public void resume() {
    PhaseExecution phase = current;
    if (phase != null) {
      phase.resume();
    }
  }

  /**
   * Stops the run: no task starts any more, running ones stop at their next cancellation check, and
   * the outcome fails with a {@link CancellationException}. Idempotent.
   */
  public void cancel() {
    cancelled = true;
    CompletableFuture<Isolation.Hold> pending = hold;
    if (pending != null) {
      pending.cancel(false); // still queued for the workers: leave the queue
    }
    PhaseExecution phase = current;
    if (phase != null) {
      phase.cancel();
    }
  }

  private static List<PhaseOutcome> append(List<PhaseOutcome> done, PhaseOutcome next) {
    List<PhaseOutcome> all = new ArrayList<>(done);
    all.add(next);
    return all;
  }

  /**
   * The plan's parallelism on this lease, resolved here and nowhere else: 0 asks for all its
   * workers, known only now (a cluster's size is its live peers'). A plan asking for more than the
   * pool has (a cluster smaller than the request assumed) fails the phase.
   */
  private static int parallelism(PhasePlan plan, TaskPool.Lease lease) {
    if (plan.parallelism() == 0) {
      return lease.workers();
    }
    if (plan.parallelism() > lease.workers()) {
      throw new PoolTooSmallException(plan.parallelism(), plan.pool(), lease.workers());
    }
    return plan.parallelism();
  }

  /**
   * Runs one phase of round {@code round}.
   *
   * @param measured the phase whose costs order this one's tasks ({@code plan.schedule()}), or null
   */
  private CompletableFuture<PhaseOutcome> runPhase(PhasePlan plan, int round, RunResult measured) {
    if (plan.profile() == null) {
      return execute(plan, round, null, measured)
          .thenApply(result -> new PhaseOutcome(plan.phase(), result, null));
    }
    return context
        .house()
        .profiler()
        .start(
            plan.profile(),
            spec.tasks().size(),
            plan.pool(),
            context.callerHasRoom(),
            s ->
                context
                    .publish()
                    .accept(
                        new RunEvent.ProfileSnapshot(
                            id, plan.phase(), s.profile(), s.tasksDone(), s.tasksTotal())))
        .thenCompose(
            session -> {
              cleanup.add(session);
              return execute(plan, round, session, measured)
                  .thenCompose(result -> profiled(plan, session, result));
            });
  }

  /** Reads the phase's final profile and renders its artifacts, on the profiling executor. */
  private CompletableFuture<PhaseOutcome> profiled(
      PhasePlan plan, PhaseProfiler.Session session, RunResult result) {
    return session
        .finish()
        .thenApplyAsync(
            report -> {
              for (ArtifactFormat format : plan.profile().artifacts()) {
                context
                    .publish()
                    .accept(
                        new RunEvent.ArtifactRendered(
                            id, plan.phase(), format, session.render(format, report)));
              }
              return new PhaseOutcome(plan.phase(), result, report);
            },
            session.executor());
  }

  /**
   * Runs the phase's tasks on a lease of its pool; completes when every task is done. A Compare's
   * events (tasks, phase summaries, round results) are held until its last round ends: sending them
   * between phases took cores from the phases being measured (BENCHMARKS, "Streaming during a
   * Compare").
   *
   * @param measured the phase whose costs order this one's tasks ({@code plan.schedule()}), or null
   *     for the plan's order
   */
  private CompletableFuture<RunResult> execute(
      PhasePlan plan, int round, PhaseProfiler.Session session, RunResult measured) {
    long waitingSince = clock.nanoTime();
    Consumer<RunEvent> publish =
        spec.kind() == RunKind.COMPARE ? heldEvents::add : context.publish();
    return pool(plan)
        .acquireAsync()
        .thenCompose(
            lease -> {
              int parallelism = parallelism(plan, lease);
              PhaseExecution.Builder phase =
                  PhaseExecution.newBuilder()
                      .tasks(spec.tasks())
                      .algorithm(spec.algorithm())
                      .parallelism(parallelism)
                      .order(plan.order())
                      .pool(lease)
                      .waitingSince(waitingSince)
                      .gate(context.callerHasRoom())
                      .clock(clock)
                      .events(event -> taskEvent(plan.phase(), round, session, event, publish))
                      .context(taskContext(session == null ? TaskContext.NONE : session.context()));
              if (session != null) {
                phase.window(session.window());
              }
              if (measured != null) {
                phase.order(SpeedupAnalysis.dispatchOrder(plan.schedule(), measured, parallelism));
              }
              return launch(phase)
                  .thenApply(
                      result -> {
                        // Every task event was delivered before the phase's future completed.
                        publish.accept(
                            new RunEvent.PhaseCompleted(id, plan.phase(), result, round));
                        return result;
                      });
            });
  }

  private void taskEvent(
      Phase phase,
      int round,
      PhaseProfiler.Session session,
      TaskEvent event,
      Consumer<RunEvent> publish) {
    if (event instanceof TaskStart start) {
      publish.accept(new RunEvent.TaskStarted(id, phase, start, round));
    } else if (event instanceof TaskResult result) {
      if (session != null) {
        session.taskDone();
      }
      publish.accept(new RunEvent.TaskFinished(id, phase, result, round));
    }
  }

  /** Starts a phase as this run's current one, unless the caller has left meanwhile. */
  private CompletableFuture<RunResult> launch(PhaseExecution.Builder builder) {
    PhaseExecution phase = builder.build();
    current = phase;
    // The caller may have left while the pool started, or between phases: then no task of this
    // phase may start.
    if (cancelled) {
      phase.cancel();
    }
    return phase.start();
  }

  private void end(RunOutcome result, Throwable error) {
    for (AutoCloseable resource : cleanup) {
      try {
        resource.close();
      } catch (Exception e) {
        // A recording that will not close is already gone; the outcome does not depend on it.
      }
    }
    // Free the slot before anyone can see the end, so a caller can start its next run at once.
    context.releaseSlot().run();
    Throwable cause = unwrap(error);
    try {
      context
          .publish()
          .accept(
              cause == null ? new RunEvent.Completed(id, result) : new RunEvent.Failed(id, cause));
    } finally {
      // Even if a listener threw: the caller waits on this, and a run always ends.
      if (cause == null) {
        outcome.complete(result);
      } else {
        outcome.completeExceptionally(cause);
      }
    }
  }

  private static Throwable unwrap(Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }
}
