#!/usr/bin/env python3
"""Open N idle keep-alive connections to 127.0.0.1:PORT, each after one request, and hold them.

    idle_connections.py N PORT SECONDS

Prints how many connections were opened and answered, then holds them for SECONDS and exits by itself.
Only loopback is targeted.
"""
import resource
import socket
import sys
import time

count, port, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count + 100)), hard))
sockets = []
request = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
answered = 0
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(request)
    sockets.append(s)
for s in sockets:
    data = s.recv(4096)
    if data.startswith(b"HTTP/1.1 200"):
        answered += 1
print(f"opened {len(sockets)} connections, {answered} answered 200; holding {hold:.0f}s", flush=True)
time.sleep(hold)
for s in sockets:
    s.close()
