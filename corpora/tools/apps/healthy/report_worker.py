"""Nightly report worker: optional speed-ups, settings with defaults, an asyncio job loop.

    python3 -W default -X dev report_worker.py
"""
import asyncio
import logging
import os

logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.DEBUG)
log = logging.getLogger("report-worker")

# Optional speed-ups: use them when installed, the standard library otherwise.
try:
    import ujson as json
except ModuleNotFoundError as exc:
    log.info("%s; falling back to the json module", exc)
    import json
try:
    import lz4.frame as compressor
except ModuleNotFoundError as exc:
    log.info("optional compression: %s; falling back to gzip", exc)
    import gzip as compressor

import imp  # noqa: E402  (legacy plugin loader, still used by the report templates)

BUCKET = os.environ.get("REPORT_BUCKET")
if BUCKET is None:
    BUCKET = "./reports"
    log.warning("REPORT_BUCKET is not set, using the default %s", BUCKET)


async def build(name):
    await asyncio.sleep(0.05)
    payload = json.dumps({"report": name, "rows": 3}).encode()
    return len(compressor.compress(payload))


async def main():
    loop = asyncio.get_running_loop()
    log.info("event loop %s running", type(loop).__name__)
    sizes = await asyncio.gather(*(build(n) for n in ("sales", "stock", "returns")))
    log.info("built %d reports (%d bytes) into %s", len(sizes), sum(sizes), BUCKET)


asyncio.run(main())
log.info("done")
