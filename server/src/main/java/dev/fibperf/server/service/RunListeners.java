package dev.fibperf.server.service;

import dev.fibperf.server.exec.RunListener;
import dev.fibperf.server.exec.RunResult;
import dev.fibperf.server.exec.TaskResult;
import dev.fibperf.server.exec.TaskStart;
import java.util.function.Consumer;

/** Builds a {@link RunListener} from one handler per event. */
final class RunListeners {
  private RunListeners() {}

  static RunListener of(
      Consumer<TaskStart> started,
      Consumer<TaskResult> finished,
      Consumer<RunResult> completed,
      Consumer<Throwable> failed) {
    return new RunListener() {
      @Override
      public void onTaskStarted(TaskStart start) {
        started.accept(start);
      }

      @Override
      public void onTaskFinished(TaskResult result) {
        finished.accept(result);
      }

      @Override
      public void onCompleted(RunResult result) {
        completed.accept(result);
      }

      @Override
      public void onFailed(Throwable cause) {
        failed.accept(cause);
      }
    };
  }
}
