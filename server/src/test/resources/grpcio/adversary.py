"""A client fibperf did not write (Python grpcio, no generated code: raw bytes on the wire).

Prints one line per check, "name status-code count", for GrpcioClientIT to read:
  watch   WatchRuns calls, each with a random deadline of 0.05 to 0.5 s, by how they ended;
  peer    PeerService/Compute calls without the cluster secret, by status;
  garbage a Serial body that is not a SerialRequest, by status.
"""
import collections
import random
import sys

import grpc

target, watches, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
raw = dict(request_serializer=lambda b: b, response_deserializer=lambda b: b)

with grpc.insecure_channel(target) as channel:
    watch = channel.unary_stream("/fibperf.v1.FibPerfService/WatchRuns", **raw)
    ended = collections.Counter()
    for _ in range(watches):
        try:
            for _ in watch(b"", timeout=rng.uniform(0.05, 0.5)):
                pass
            ended["OK"] += 1
        except grpc.RpcError as e:
            ended[e.code().name] += 1
    for code, count in sorted(ended.items()):
        print("watch", code, count)

    compute = channel.unary_unary("/fibperf.cluster.v1.PeerService/Compute", **raw)
    peer = collections.Counter()
    for _ in range(20):
        try:
            compute(b"\x08\x1e\x10\x01", timeout=10)  # n=30, naive
            peer["OK"] += 1
        except grpc.RpcError as e:
            peer[e.code().name] += 1
    for code, count in sorted(peer.items()):
        print("peer", code, count)

    serial = channel.unary_stream("/fibperf.v1.FibPerfService/Serial", **raw)
    try:
        for _ in serial(b"\xff\xff\xff", timeout=10):
            pass
        print("garbage OK 1")
    except grpc.RpcError as e:
        print("garbage", e.code().name, 1)
