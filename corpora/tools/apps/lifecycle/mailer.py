import logging
import signal
import socket
import sys
import threading

RELAY = ("127.0.0.1", 2525)

logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                    format="%(levelname)s [%(threadName)s] %(message)s")
log = logging.getLogger("mailer")
inflight = {}


def deliver(msg_id):
    inflight[msg_id] = True
    log.info("delivering message %d via %s:%d", msg_id, *RELAY)
    with socket.create_connection(RELAY) as s:
        s.recv(512)          # waits for the relay's greeting; no timeout set
    del inflight[msg_id]


def on_sigterm(signum, frame):
    log.info("SIGTERM received, waiting for %d in-flight deliveries to finish", len(inflight))
    for t in workers:
        t.join()
    log.info("all deliveries finished, exiting")
    sys.exit(0)


signal.signal(signal.SIGTERM, on_sigterm)
log.info("mailer started, relay %s:%d", *RELAY)
workers = [threading.Thread(target=deliver, args=(n,), name="deliver-%d" % n) for n in (18342, 18343, 18344)]
for t in workers:
    t.start()
for t in workers:
    t.join()
