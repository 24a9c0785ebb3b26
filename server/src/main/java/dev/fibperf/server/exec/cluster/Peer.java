package dev.fibperf.server.exec.cluster;

import dev.fibperf.proto.cluster.v1.PeerServiceGrpc;
import java.net.InetSocketAddress;

/** One peer replica as the pool knows it: lost for good once a call to it fails or it leaves. */
final class Peer {
  final String address; // host:port, in worker names and messages
  final int workers;
  final PeerServiceGrpc.PeerServiceFutureStub stub;
  private volatile boolean lost;

  Peer(String address, int workers, PeerServiceGrpc.PeerServiceFutureStub stub) {
    this.address = address;
    this.workers = workers;
    this.stub = stub;
  }

  boolean lost() {
    return lost;
  }

  void markLost() {
    lost = true;
  }

  /**
   * One worker of a peer, as a token: taken for a task, given back when it ends. Named {@code
   * host:port/index} in both of the task's events.
   */
  record Slot(Peer peer, int index) {
    String name() {
      return peer.address + "/" + index;
    }
  }

  static String label(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
