# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TEST STAND-IN for the Kubernetes API server, as far as SOCI's kubeconfig keychain uses it.

SOCI v0.16 (client-go v0.34, JSON, no watch-list) lists and then watches the image pull secrets of every namespace:
GET /api/v1/secrets?fieldSelector=type=kubernetes.io/dockerconfigjson, then the same with watch=true. This serves
one such secret, holding the private test registry's credentials, plus an Opaque secret the field selector leaves
out, over HTTPS (client-go sends a kubeconfig's credentials only over TLS); it answers 401 without the bearer token
the kubeconfig carries, holds each watch open until its timeoutSeconds, and logs one line per request (what was
asked, whether the token was right, the client's User-Agent).

usage: kube-apiserver-standin.py PORT FILES REGISTRY USER:PASSWORD
  FILES.token: the bearer token; FILES.crt, FILES.key: the server's certificate (self-signed) and key
"""

import base64
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PULL_SECRET_TYPE = "kubernetes.io/dockerconfigjson"
MAX_WATCH_SECONDS = 600


def secrets(registry, user_password):
    auth = base64.b64encode(user_password.encode()).decode()
    dockerconfig = json.dumps({"auths": {registry: {"auth": auth}}}).encode()
    return [
        {"metadata": {"name": "lazypull-registry", "namespace": "default", "uid": "lazypull-1", "resourceVersion": "1"},
         "type": PULL_SECRET_TYPE, "data": {".dockerconfigjson": base64.b64encode(dockerconfig).decode()}},
        {"metadata": {"name": "not-a-pull-secret", "namespace": "default", "uid": "lazypull-2", "resourceVersion": "1"},
         "type": "Opaque", "data": {"token": base64.b64encode(b"unused").decode()}},
    ]


class Handler(BaseHTTPRequestHandler):
    token = ""
    items = []
    log_lock = threading.Lock()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # one line per request is written by do_GET

    def say(self, what):
        with self.log_lock:
            sent = self.headers.get("Authorization")
            token = "ok" if self.authorized() else "wrong(%s...)" % sent[:12] if sent else "missing"
            agent = self.headers.get("User-Agent", "-")
            print("%s %s token=%s agent=%s" % (time.strftime("%H:%M:%S"), what, token, agent), flush=True)

    def authorized(self):
        return self.headers.get("Authorization") == "Bearer " + self.token

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # pylint: disable=invalid-name
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        watch = query.get("watch") in ("true", "1")
        selector = query.get("fieldSelector", "")
        self.say("%s %s fieldSelector=%s" % ("watch" if watch else "list", url.path, selector or "-"))
        if not self.authorized():
            self.send_json(401, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Unauthorized",
                                 "code": 401, "message": "Unauthorized"})
            return
        if url.path != "/api/v1/secrets":
            self.send_json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                                 "code": 404, "message": "the stand-in serves /api/v1/secrets only"})
            return
        items = [item for item in self.items if selector in ("", "type=" + item["type"])]
        if not watch:
            self.send_json(200, {"kind": "SecretList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"},
                                 "items": items})
            return
        # Nothing changes here: the watch stream (HTTP/1.0, read until the connection closes) stays open, with no
        # events, until the client's timeout.
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.flush()
        time.sleep(min(int(query.get("timeoutSeconds", "60")), MAX_WATCH_SECONDS))


def main():
    port, files, registry, user_password = sys.argv[1:5]
    with open(files + ".token") as handle:
        Handler.token = handle.read().strip()
    Handler.items = secrets(registry, user_password)
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    server.daemon_threads = True
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(files + ".crt", files + ".key")
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
