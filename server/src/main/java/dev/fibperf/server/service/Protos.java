package dev.fibperf.server.service;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.fibperf.proto.v1.Figure;
import dev.fibperf.server.analysis.Note;
import dev.fibperf.server.analysis.NoteText;
import dev.fibperf.server.analysis.ScheduleKind;
import dev.fibperf.server.analysis.Verdict;
import dev.fibperf.server.compute.Algorithm;
import dev.fibperf.server.exec.PoolKind;
import dev.fibperf.server.run.ArtifactFormat;
import dev.fibperf.server.run.Phase;
import java.time.Duration;
import java.time.Instant;

/**
 * The one place where the contract's enums and well-known types meet the domain's: exhaustive
 * switches (a new constant on either side fails the build or the test, never maps by name) and time
 * on protobuf-java-util's {@link Durations} and {@link Timestamps}.
 */
final class Protos {
  private Protos() {}

  static com.google.protobuf.Duration duration(Duration d) {
    return Durations.fromNanos(d.toNanos());
  }

  /**
   * @throws IllegalArgumentException if {@code d} is not a valid {@code google.protobuf.Duration}
   *     (seconds beyond ±10,000 years, or nanos of the wrong sign)
   */
  static Duration duration(com.google.protobuf.Duration d) {
    Durations.checkValid(d);
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  static Timestamp timestamp(Instant i) {
    return Timestamps.checkValid(
        Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build());
  }

  /** The contract's enum for a built-in kernel; ALGORITHM_UNSPECIFIED for a loaded one. */
  static dev.fibperf.proto.v1.Algorithm algorithm(Algorithm a) {
    if (a == Algorithm.NAIVE) {
      return dev.fibperf.proto.v1.Algorithm.ALGORITHM_NAIVE;
    } else if (a == Algorithm.ITERATIVE) {
      return dev.fibperf.proto.v1.Algorithm.ALGORITHM_ITERATIVE;
    } else if (a == Algorithm.FAST_DOUBLING) {
      return dev.fibperf.proto.v1.Algorithm.ALGORITHM_FAST_DOUBLING;
    }
    return dev.fibperf.proto.v1.Algorithm.ALGORITHM_UNSPECIFIED;
  }

  /**
   * @return null for a value this server does not know
   */
  static Algorithm algorithm(dev.fibperf.proto.v1.Algorithm a) {
    switch (a) {
      case ALGORITHM_UNSPECIFIED:
      case ALGORITHM_NAIVE:
        return Algorithm.NAIVE;
      case ALGORITHM_ITERATIVE:
        return Algorithm.ITERATIVE;
      case ALGORITHM_FAST_DOUBLING:
        return Algorithm.FAST_DOUBLING;
      case UNRECOGNIZED:
        return null;
    }
    throw new AssertionError(a);
  }

  static dev.fibperf.proto.v1.PoolKind pool(PoolKind p) {
    switch (p) {
      case THREADS:
        return dev.fibperf.proto.v1.PoolKind.POOL_KIND_THREADS;
      case PROCESSES:
        return dev.fibperf.proto.v1.PoolKind.POOL_KIND_PROCESSES;
      case CLUSTER:
        return dev.fibperf.proto.v1.PoolKind.POOL_KIND_CLUSTER;
    }
    throw new AssertionError(p);
  }

  /**
   * @return null for a value this server does not know
   */
  static PoolKind pool(dev.fibperf.proto.v1.PoolKind p) {
    switch (p) {
      case POOL_KIND_UNSPECIFIED:
      case POOL_KIND_THREADS:
        return PoolKind.THREADS;
      case POOL_KIND_PROCESSES:
        return PoolKind.PROCESSES;
      case POOL_KIND_CLUSTER:
        return PoolKind.CLUSTER;
      case UNRECOGNIZED:
        return null;
    }
    throw new AssertionError(p);
  }

  static dev.fibperf.proto.v1.Phase phase(Phase p) {
    switch (p) {
      case SERIAL:
        return dev.fibperf.proto.v1.Phase.PHASE_SERIAL;
      case PARALLEL:
        return dev.fibperf.proto.v1.Phase.PHASE_PARALLEL;
    }
    throw new AssertionError(p);
  }

  static dev.fibperf.proto.v1.ArtifactChunk.Format format(ArtifactFormat f) {
    switch (f) {
      case COLLAPSED:
        return dev.fibperf.proto.v1.ArtifactChunk.Format.FORMAT_COLLAPSED;
      case FLAMEGRAPH_HTML:
        return dev.fibperf.proto.v1.ArtifactChunk.Format.FORMAT_FLAMEGRAPH_HTML;
      case JFR:
        return dev.fibperf.proto.v1.ArtifactChunk.Format.FORMAT_JFR;
    }
    throw new AssertionError(f);
  }

  /**
   * @return null for FORMAT_UNSPECIFIED or a value this server does not know
   */
  static ArtifactFormat format(dev.fibperf.proto.v1.ArtifactChunk.Format f) {
    switch (f) {
      case FORMAT_COLLAPSED:
        return ArtifactFormat.COLLAPSED;
      case FORMAT_FLAMEGRAPH_HTML:
        return ArtifactFormat.FLAMEGRAPH_HTML;
      case FORMAT_JFR:
        return ArtifactFormat.JFR;
      case FORMAT_UNSPECIFIED:
      case UNRECOGNIZED:
        return null;
    }
    throw new AssertionError(f);
  }

  static dev.fibperf.proto.v1.Isolation isolation(boolean exclusive) {
    return exclusive
        ? dev.fibperf.proto.v1.Isolation.ISOLATION_EXCLUSIVE
        : dev.fibperf.proto.v1.Isolation.ISOLATION_SHARED;
  }

  /**
   * @return whether the Compare holds the workers alone, or null for a value this server does not
   *     know
   */
  static Boolean exclusive(dev.fibperf.proto.v1.Isolation i) {
    switch (i) {
      case ISOLATION_UNSPECIFIED:
      case ISOLATION_EXCLUSIVE:
        return true;
      case ISOLATION_SHARED:
        return false;
      case UNRECOGNIZED:
        return null;
    }
    throw new AssertionError(i);
  }

  static dev.fibperf.proto.v1.Schedule schedule(ScheduleKind k) {
    switch (k) {
      case MEASURED_OPTIMAL:
        return dev.fibperf.proto.v1.Schedule.SCHEDULE_MEASURED_OPTIMAL;
      case LARGEST_FIRST:
        return dev.fibperf.proto.v1.Schedule.SCHEDULE_LARGEST_FIRST;
    }
    throw new AssertionError(k);
  }

  /**
   * @return null for a value this server does not know
   */
  static ScheduleKind schedule(dev.fibperf.proto.v1.Schedule s) {
    switch (s) {
      case SCHEDULE_UNSPECIFIED:
      case SCHEDULE_MEASURED_OPTIMAL:
        return ScheduleKind.MEASURED_OPTIMAL;
      case SCHEDULE_LARGEST_FIRST:
        return ScheduleKind.LARGEST_FIRST;
      case UNRECOGNIZED:
        return null;
    }
    throw new AssertionError(s);
  }

  static dev.fibperf.proto.v1.Verdict verdict(Verdict v) {
    switch (v) {
      case CLEAN:
        return dev.fibperf.proto.v1.Verdict.VERDICT_CLEAN;
      case WORKER_LOST:
        return dev.fibperf.proto.v1.Verdict.VERDICT_WORKER_LOST;
      case CONTENDED:
        return dev.fibperf.proto.v1.Verdict.VERDICT_CONTENDED;
      case UNSTEADY:
        return dev.fibperf.proto.v1.Verdict.VERDICT_UNSTEADY;
      case IMPLAUSIBLE:
        return dev.fibperf.proto.v1.Verdict.VERDICT_IMPLAUSIBLE;
      case NOISY:
        return dev.fibperf.proto.v1.Verdict.VERDICT_NOISY;
    }
    throw new AssertionError(v);
  }

  /** A note as a fact: its kind, its figures, and the sentence {@link NoteText} makes of them. */
  static dev.fibperf.proto.v1.Note note(Note note) {
    dev.fibperf.proto.v1.Note.Builder out =
        dev.fibperf.proto.v1.Note.newBuilder()
            .setKind(dev.fibperf.proto.v1.NoteKind.valueOf("NOTE_KIND_" + note.kind().name()))
            .setText(NoteText.render(note));
    note.figures()
        .forEach(
            (name, value) -> {
              Figure.Builder figure = out.addFiguresBuilder().setName(name);
              if (value instanceof Double ratio) {
                figure.setRatio(ratio);
              } else if (value instanceof java.time.Duration d) {
                figure.setDuration(duration(d));
              } else if (value instanceof Long count) {
                figure.setCount(count);
              } else if (value instanceof String label) {
                figure.setLabel(label);
              } else if (value instanceof Boolean flag) {
                figure.setFlag(flag);
              } else {
                throw new IllegalArgumentException(name + "=" + value);
              }
            });
    return out.build();
  }
}
