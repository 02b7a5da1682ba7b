import json
import logging
import os
import time

STATE_DIR = "/srv/app/var/lib/metrics-exporter"

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("metrics-exporter")


def save_state(state):
    path = os.path.join(STATE_DIR, "state.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f)
    os.replace(tmp, path)


def main():
    log.info("starting, state directory %s", STATE_DIR)
    state = {"last_scrape": int(time.time()), "targets": ["10.0.3.11:9100", "10.0.3.12:9100"]}
    save_state(state)
    log.info("state saved")


if __name__ == "__main__":
    main()
