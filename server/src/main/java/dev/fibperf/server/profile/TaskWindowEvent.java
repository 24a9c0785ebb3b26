package dev.fibperf.server.profile;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Marks the time one task of one profiling session ran on its worker thread. Execution samples are
 * attributed to a session by matching their thread and time against these windows, so concurrent
 * calls never see each other's samples.
 */
@Name(TaskWindowEvent.NAME)
@Label("fibperf Task")
@Category("fibperf")
@Description("One Fibonacci task of a profiled call, on its worker thread")
@StackTrace(false)
final class TaskWindowEvent extends Event {
  static final String NAME = "fibperf.Task";

  @Label("Session")
  long session;

  @Label("Index")
  int index;

  @Label("N")
  int n;
}
