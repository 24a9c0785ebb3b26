"""Sockets an HTTP server keeps after clients that leave requests half-sent and clients whose
requests fail, interleaved (BENCHMARKS.md, "Adversaries"). Standard library only.

    python3 bench/scripts/http-socket-leak.py PORT PID SECONDS MODE

PORT is the server's HTTP port, PID its process; MODE is "h" (half-sent requests), "f" (failing
requests), or "hf" (both at once). Prints the server's sockets by TCP state (from /proc/net/tcp,
"0A" is LISTEN; "unlisted" sockets are in no TCP table: closed at the TCP level, but their file
descriptor still open in the server) before, and 1, 12 and 40 s after the attack.
"""
import os
import random
import socket
import sys
import threading
import time
import urllib.request

port, pid, seconds, mode = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]


def sockets():
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed since the listing
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    listed = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                listed[fields[9]] = fields[3]
    states = {}
    for inode in inodes:
        state = listed.get(inode, "unlisted")
        states[state] = states.get(state, 0) + 1
    return len(inodes), states


end = time.time() + seconds


def half_sent():
    """20 requests whose headers never end, until the server drops the first (its maxReqTime)."""
    while time.time() < end:
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        for s in held:
            s.sendall(b"GET /api/runs HTTP/1.1\r\nHost: x")
        held[0].settimeout(30)
        try:
            held[0].recv(1)
        except OSError:
            pass
        for s in held:
            s.close()


def failing():
    paths = ["/api/runs/999999", "/runs/999999/flamegraph.html", "/api/runs?access_token=x", "/x"]
    while time.time() < end:
        try:
            url = f"http://127.0.0.1:{port}{random.choice(paths)}"
            urllib.request.urlopen(url, timeout=10).read()
        except OSError:
            pass  # the 4xx the attack is after


attackers = []
if "h" in mode:
    attackers.append(threading.Thread(target=half_sent))
if "f" in mode:
    attackers += [threading.Thread(target=failing) for _ in range(2)]
print("before", sockets())
for a in attackers:
    a.start()
for a in attackers:
    a.join()
slept = 0
for after in (1, 12, 40):
    time.sleep(after - slept)
    slept = after
    print("after", after, "s", sockets())
