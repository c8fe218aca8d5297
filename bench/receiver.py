"""A fast local HTTP receiver for the benchmarks, in its own process: asyncio, keep-alive,
answers every POST with {"ok": true} and counts them. Python's threading HTTP server (the
tests' robot) tops out near 400 requests/s next to the engine, below what is measured."""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
from typing import Any

ANSWER = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"ok": true}'
)


async def _serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, count: Any, delay: float
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            if delay:  # a robot across the internet answers in tens of milliseconds
                await asyncio.sleep(delay)
            writer.write(ANSWER)
            with count.get_lock():
                count.value += 1
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


def _run(sock: socket.socket, count: Any, delay: float) -> None:
    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _serve_connection(r, w, count, delay), sock=sock
        )
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class Receiver:
    def __init__(self, delay: float = 0.0) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.count = multiprocessing.Value("q", 0)
        self.process = multiprocessing.get_context("fork").Process(
            target=_run, args=(self.sock, self.count, delay), daemon=True
        )

    def start(self) -> Receiver:
        self.process.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.join()
