package dev.fibperf.server.tracing;

import dev.fibperf.server.run.Phase;
import dev.fibperf.server.run.RunEvent;
import dev.fibperf.server.run.RunEventListener;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spans for what a call's run does, as children of the call's own observation (the gRPC server
 * interceptor's): one per phase, and inside it one per task, from its hand-off to a worker until
 * its result is back. The call's observation is the one current on the thread that starts the run,
 * so runs started outside a traced call are not traced.
 */
public final class RunTracing implements RunEventListener {
  private final ObservationRegistry registry;
  private final Map<Long, TracedRun> runs = new ConcurrentHashMap<>();

  public RunTracing(ObservationRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void onEvent(RunEvent event) {
    if (event instanceof RunEvent.Accepted a) {
      Observation call = registry.getCurrentObservation();
      if (call != null && !call.isNoop()) {
        runs.put(a.runId(), new TracedRun(call));
      }
      return;
    }
    TracedRun run =
        event instanceof RunEvent.Completed || event instanceof RunEvent.Failed
            ? runs.remove(runId(event))
            : runs.get(runId(event));
    if (run == null) {
      return;
    }
    synchronized (run) {
      if (event instanceof RunEvent.TaskStarted t) {
        Observation phase = run.phase(t.phase(), registry);
        run.tasks.put(
            t.phase().ordinal() + ":" + t.start().index(),
            Observation.createNotStarted("fibperf.task", registry)
                .contextualName("task fib(" + t.start().n() + ")")
                .parentObservation(phase)
                .lowCardinalityKeyValue("fibperf.phase", name(t.phase()))
                .highCardinalityKeyValue("fibperf.task.index", String.valueOf(t.start().index()))
                .highCardinalityKeyValue("fibperf.task.n", String.valueOf(t.start().n()))
                .highCardinalityKeyValue("fibperf.worker", t.start().worker())
                .start());
      } else if (event instanceof RunEvent.TaskFinished f) {
        Observation task = run.tasks.remove(f.phase().ordinal() + ":" + f.result().index());
        if (task != null) {
          task.stop();
        }
      } else if (event instanceof RunEvent.PhaseCompleted p) {
        Observation phase = run.phases.remove(p.phase());
        if (phase != null) {
          phase.stop();
        }
      } else if (event instanceof RunEvent.Completed || event instanceof RunEvent.Failed) {
        List<Observation> open = new ArrayList<>(run.tasks.values());
        open.addAll(run.phases.values());
        for (Observation o : open) {
          if (event instanceof RunEvent.Failed failed) {
            o.error(failed.cause());
          }
          o.stop();
        }
      }
    }
  }

  private static long runId(RunEvent event) {
    if (event instanceof RunEvent.TaskStarted e) {
      return e.runId();
    } else if (event instanceof RunEvent.TaskFinished e) {
      return e.runId();
    } else if (event instanceof RunEvent.PhaseCompleted e) {
      return e.runId();
    } else if (event instanceof RunEvent.Completed e) {
      return e.runId();
    } else if (event instanceof RunEvent.Failed e) {
      return e.runId();
    }
    return -1; // snapshots and artifacts carry no span
  }

  private static String name(Phase phase) {
    return phase.name().toLowerCase(Locale.ROOT);
  }

  /** A traced run's open spans, guarded by the instance: tasks finish on several threads. */
  private static final class TracedRun {
    final Observation call;
    final Map<Phase, Observation> phases = new EnumMap<>(Phase.class);
    final Map<String, Observation> tasks = new HashMap<>();

    TracedRun(Observation call) {
      this.call = call;
    }

    Observation phase(Phase phase, ObservationRegistry registry) {
      return phases.computeIfAbsent(
          phase,
          p ->
              Observation.createNotStarted("fibperf.phase", registry)
                  .contextualName(name(p) + " phase")
                  .parentObservation(call)
                  .lowCardinalityKeyValue("fibperf.phase", name(p))
                  .start());
    }
  }
}
