#!/usr/bin/env python3
"""A small Kubernetes API server for the tests of aimctl's live inventory.

Serves GET /api/v1/nodes and GET /api/v1/pods over HTTPS on 127.0.0.1 (a
free port, written to --port-file) from NodeList and PodList fixture files,
in pages that honour `limit` and `continue`, and filters pods by the
`status.phase` field selectors kubectl uses. Every request must carry
`Authorization: Bearer TOKEN` (or, with --client-cert, a client certificate
the CA signed); what fails gets a Status object as the real API server
writes it. --fail picks one way to misbehave, from page --fail-page on.

Python's standard library only; certificates come from make_certs.sh.
"""
import argparse
import base64
import copy
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FAILURES = ("none", "status-500", "truncated", "truncated-json", "malformed",
            "wrong-kind", "no-items", "loop", "slow")
LISTS = {"/api/v1/nodes": "NodeList", "/api/v1/pods": "PodList"}


def status(code, reason, message):
    """A Status object, the body of every API error."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "message": message, "reason": reason,
            "code": code}


def encode_continue(offset):
    text = json.dumps({"v": "meta.k8s.io/v1", "rv": 4711, "start": offset})
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_continue(token):
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["start"])
    except (ValueError, KeyError, TypeError):
        return None


def phase_filter(selector):
    """A predicate for 'status.phase!=A,status.phase=B'; None when unsupported."""
    tests = []
    for term in filter(None, selector.split(",")):
        for operator in ("!=", "=="):
            field, found, value = term.partition(operator)
            if found:
                break
        else:
            field, _, value = term.partition("=")
            operator = "=="
        if field != "status.phase":
            return None
        tests.append((operator, value))

    def accept(item):
        phase = item.get("status", {}).get("phase")
        return all((phase == value) == (operator == "==") for operator, value in tests)
    return accept


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-apiserver"

    def log_message(self, format, *args):
        pass

    def send_json(self, code, document, raw=None, cut=None):
        body = raw if raw is not None else json.dumps(document).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        # A cut body keeps its full Content-Length: the connection then closes early.
        # Without a length, the body ends where the connection does.
        if self.server.options.no_content_length:
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body if cut is None else body[:cut])
        if cut is not None:
            self.close_connection = True

    def user(self):
        """The authenticated user's name, or an error (code, Status)."""
        options = self.server.options
        header = self.headers.get("Authorization", "")
        if header == "Bearer " + options.expired_token:
            return None, (401, status(401, "Unauthorized", "Unauthorized"))
        if header == "Bearer " + options.forbidden_token:
            return "system:serviceaccount:default:viewer", None
        if header == "Bearer " + options.token:
            return "system:serviceaccount:kube-system:aimctl", None
        certificate = self.connection.getpeercert() if options.client_cert else None
        if certificate:
            return dict(pair[0] for pair in certificate["subject"])["commonName"], None
        return None, (401, status(401, "Unauthorized", "Unauthorized"))

    def do_GET(self):
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in
                 parse_qs(url.query, keep_blank_values=True).items()}
        self.server.log(url.path, query)
        user, failure = self.user()
        if failure is None and user.endswith(":viewer"):
            resource = url.path.rsplit("/", 1)[-1]
            failure = (403, status(403, "Forbidden",
                                   f'{resource} is forbidden: User "{user}" cannot list '
                                   f'resource "{resource}" in API group "" at the cluster '
                                   'scope'))
        if failure is None and url.path not in LISTS:
            failure = (404, status(404, "NotFound",
                                   "the server could not find the requested resource"))
        if failure is not None:
            return self.send_json(*failure)
        self.send_page(url.path, query)

    def send_page(self, path, query):
        items = self.server.lists[path]
        accept = phase_filter(query.get("fieldSelector", ""))
        if accept is None:
            return self.send_json(400, status(400, "BadRequest", "field label not supported: "
                                              + query["fieldSelector"]))
        items = [item for item in items if accept(item)]
        start = decode_continue(query["continue"]) if "continue" in query else 0
        if start is None:
            return self.send_json(400, status(400, "BadRequest", "invalid continue token"))
        limit = int(query.get("limit") or 0) or len(items) or 1
        page = start // limit + 1
        chunk = items[start:start + limit]
        metadata = {"resourceVersion": "4711"}
        if start + limit < len(items):
            metadata["continue"] = encode_continue(start + limit)
            metadata["remainingItemCount"] = len(items) - start - limit
        document = {"kind": LISTS[path], "apiVersion": "v1", "metadata": metadata,
                    "items": chunk}
        options = self.server.options
        failure = options.fail if page >= options.fail_page else "none"
        self.misbehave(failure, document)

    def misbehave(self, failure, document):
        if failure == "status-500":
            return self.send_json(500, status(500, "InternalError",
                                              "etcdserver: request timed out"))
        if failure == "slow":
            time.sleep(self.server.options.delay)
        elif failure == "wrong-kind":
            document["kind"] = "PodList" if document["kind"] == "NodeList" else "NodeList"
        elif failure == "no-items":
            del document["items"]
        elif failure == "loop":
            document["metadata"]["continue"] = encode_continue(0)
        body = json.dumps(document).encode()
        if failure == "malformed":
            body = b'{"kind": "NodeList", "items": [{"metadata": {"name": "node-0", }}]}'
        if failure == "truncated":
            return self.send_json(200, None, raw=body, cut=len(body) // 2)
        if failure == "truncated-json":
            body = body[:len(body) // 2]
        self.send_json(200, None, raw=body)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, options):
        super().__init__(("127.0.0.1", 0), Handler)
        self.options = options
        self.lists = {"/api/v1/nodes": load_nodes(options),
                      "/api/v1/pods": load_items(options.pods)}
        self.log_lock = threading.Lock()

    def log(self, path, query):
        if not self.options.request_log:
            return
        with self.log_lock, open(self.options.request_log, "a") as log:
            log.write(json.dumps({"path": path, "query": query}, sort_keys=True) + "\n")

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer (the size cap, a timeout) is expected.
        pass


def load_items(path):
    with open(path) as fixture:
        return json.load(fixture)["items"]


def load_nodes(options):
    """The fixture's nodes, or --replicate-nodes copies of them, renamed."""
    nodes = load_items(options.nodes)
    if not options.replicate_nodes:
        return nodes
    copies = []
    for index in range(options.replicate_nodes):
        node = copy.deepcopy(nodes[index % len(nodes)])
        node["metadata"]["name"] = f"node-{index:05d}"
        copies.append(node)
    return copies


def tls_context(options):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(options.cert_dir, "server.crt"),
                            os.path.join(options.cert_dir, "server.key"))
    if options.client_cert:
        # Optional, as on a real API server: a token still works without one.
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(os.path.join(options.cert_dir, "ca.crt"))
    return context


def watchdog(lifetime):
    """Ends the server when the test that started it is gone, or after lifetime s."""
    parent, deadline = os.getppid(), time.monotonic() + lifetime
    while os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.2)
    os._exit(0)


def parse_options():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cert-dir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--request-log")
    parser.add_argument("--nodes", default=os.path.join(here, "nodes.json"))
    parser.add_argument("--pods", default=os.path.join(here, "pods.json"))
    parser.add_argument("--replicate-nodes", type=int, default=0)
    parser.add_argument("--token", default="good-token")
    parser.add_argument("--expired-token", default="expired-token")
    parser.add_argument("--forbidden-token", default="viewer-token")
    parser.add_argument("--client-cert", action="store_true")
    parser.add_argument("--no-content-length", action="store_true")
    parser.add_argument("--fail", choices=FAILURES, default="none")
    parser.add_argument("--fail-page", type=int, default=1)
    parser.add_argument("--delay", type=float, default=5.0)
    parser.add_argument("--lifetime", type=float, default=120.0)
    return parser.parse_args()


def main():
    options = parse_options()
    server = Server(options)
    server.socket = tls_context(options).wrap_socket(server.socket, server_side=True)
    threading.Thread(target=watchdog, args=(options.lifetime,), daemon=True).start()
    # Written whole, then renamed, so a reader never sees half a number.
    with open(options.port_file + ".tmp", "w") as port_file:
        port_file.write(f"{server.server_address[1]}\n")
    os.replace(options.port_file + ".tmp", options.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
