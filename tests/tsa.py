"""A time-stamping server (RFC 3161) on loopback, for the tests of PAdES B-T.

It answers time-stamp requests over HTTP the way a real TSA does — DER in, DER out,
``application/timestamp-reply`` — signing with the demo CA's time-stamping certificate
(pyHanko builds the token). ``stop()`` closes it, so a test can see a server go away.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class TimeStampingServer:
    def __init__(self):
        from asn1crypto import keys, x509
        from cryptography.hazmat.primitives import serialization
        from pyhanko.sign.timestamps import DummyTimeStamper

        from agencies.demo_certificates import authority, time_stamping_authority

        tsa, ca = time_stamping_authority(), authority()
        der = serialization.Encoding.DER
        stamper = DummyTimeStamper(
            tsa_cert=x509.Certificate.load(tsa.certificate.public_bytes(der)),
            tsa_key=keys.PrivateKeyInfo.load(tsa.key.private_bytes(
                der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            certs_to_embed=[x509.Certificate.load(ca.certificate.public_bytes(der))],
        )
        self.requests = 0
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server name)
                from asn1crypto import tsp

                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415)
                    return
                server_self.requests += 1
                try:
                    reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                except Exception:  # a request it cannot answer: a server error, as a TSA would
                    self.send_error(500)
                    raise
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
