"""Loopback Odoos for the health benchmark, in their own process so the pinger's memory is its own.

``python -m bench.health_servers HEALTHY_SERVERS PROFILE`` prints one JSON line: the URLs of the healthy servers,
of a black hole (accepts connections, never answers: a hung Odoo) and of closed ports (connection refused);
then serves until stdin closes.
"""

from __future__ import annotations

import json
import socket
import sys
import threading

from bench import odoo


def black_hole() -> str:
    """A listener that accepts and holds every connection without ever answering."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}"


def closed_ports(n: int) -> list[str]:
    """Ports that were free a moment ago and have nothing listening: connection refused."""
    socks = [socket.create_server(("127.0.0.1", 0)) for _ in range(n)]
    urls = [f"http://127.0.0.1:{s.getsockname()[1]}" for s in socks]
    for s in socks:
        s.close()
    return urls


def main() -> None:
    count, profile, dead = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    servers = [odoo.start(profile) for _ in range(count)]
    print(
        json.dumps(
            {
                "healthy": [s.url for s in servers],
                "hung": black_hole(),
                "dead": closed_ports(dead),
                "db": "bench",
                "login": "admin",
                "password": "admin",
            }
        ),
        flush=True,
    )
    sys.stdin.read()
    for s in servers:
        s.stop()


if __name__ == "__main__":
    main()
