"""Carts API: waits for PostgreSQL and Redis at start-up (retrying with back-off instead of
exiting), keeps carts in PostgreSQL and counts views in Redis.

    python3 -m uvicorn carts_app:app --host 127.0.0.1 --port 8000
"""
import logging
import os
import time

import psycopg2
import redis
from fastapi import FastAPI, Response

log = logging.getLogger("carts")
_handler = logging.StreamHandler()
_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
log.addHandler(_handler)
log.setLevel(logging.INFO)

DB = dict(host=os.environ.get("PGHOST", "127.0.0.1"), port=int(os.environ.get("PGPORT", "5432")),
          dbname="carts", user="carts", password="carts", connect_timeout=3)
REDIS = dict(host=os.environ.get("REDIS_HOST", "127.0.0.1"), port=int(os.environ.get("REDIS_PORT", "6379")))
ATTEMPTS = 30

app = FastAPI(title="Carts")
state = {}


def wait_for(what, connect):
    """Connects, retrying once a second; the first failure is logged with its traceback."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return connect()
        except (psycopg2.OperationalError, redis.exceptions.ConnectionError) as exc:
            if attempt == ATTEMPTS:
                raise
            message = str(exc).strip().splitlines()[0]
            log.warning("%s not reachable yet (attempt %d/%d): %s; retrying in 1s",
                        what, attempt, ATTEMPTS, message, exc_info=attempt == 1)
            time.sleep(1)


def connect_db():
    conn = psycopg2.connect(**DB)
    conn.autocommit = True
    return conn


def connect_redis():
    client = redis.Redis(**REDIS)
    client.ping()
    return client


@app.on_event("startup")
def startup():
    db = wait_for("database", connect_db)
    with db.cursor() as cur:
        cur.execute("select version()")
        log.info("connected to %s", cur.fetchone()[0].split(" on ")[0])
        cur.execute("create table if not exists carts (id serial primary key, owner text not null)")
    state["db"] = db
    state["redis"] = wait_for("redis", connect_redis)
    log.info("connected to redis %s:%d", REDIS["host"], REDIS["port"])


@app.on_event("shutdown")
def shutdown():
    state["db"].close()
    log.info("database connection closed")


@app.post("/api/carts", status_code=201)
def create_cart(owner: str):
    with state["db"].cursor() as cur:
        cur.execute("insert into carts (owner) values (%s) returning id", (owner,))
        return {"id": cur.fetchone()[0], "owner": owner}


@app.get("/api/carts/{cart_id}")
def get_cart(cart_id: int, response: Response):
    with state["db"].cursor() as cur:
        cur.execute("select owner from carts where id = %s", (cart_id,))
        row = cur.fetchone()
    if row is None:
        response.status_code = 404
        return {"detail": "cart not found"}
    state["redis"].incr("cart-views:%d" % cart_id)
    return {"id": cart_id, "owner": row[0]}


@app.delete("/api/carts/{cart_id}", status_code=204)
def delete_cart(cart_id: int):
    with state["db"].cursor() as cur:
        cur.execute("delete from carts where id = %s", (cart_id,))
    return Response(status_code=204)


@app.get("/health")
def health():
    return {"status": "ok"}
