# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TEST STAND-IN for a registry that goes away: a loopback port forwarded to the local registry until closed, after
which connections to it are refused (the nodes share the host's network, so nothing on a node can be firewalled)."""

from __future__ import annotations

import socket
import threading


class Forwarder:
    def __init__(self, port, target):
        self.target = target
        self.server = socket.create_server(("127.0.0.1", port))
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self.server.accept()
                upstream = socket.create_connection(self.target)
            except OSError:
                return
            self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        """Stop listening and cut every open connection (a client's keep-alive connection included)."""
        self.server.shutdown(socket.SHUT_RDWR)  # close() alone leaves the thread in accept() taking connections
        self.server.close()
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()
