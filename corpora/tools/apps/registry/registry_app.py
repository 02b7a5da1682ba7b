"""A bot registry that keeps its providers in memory only (seed 004's bug): after a
restart, providers registered with the previous process are unknown and joins get 404."""
import uuid

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()
providers: dict = {}


class Register(BaseModel):
    name: str


class Join(BaseModel):
    provider_id: str
    lobby_id: str


@app.post("/api/bots/providers/register")
async def register(request: Register):
    provider_id = uuid.uuid4().hex
    providers[provider_id] = request.name
    return {"provider_id": provider_id}


@app.get("/api/bots/providers")
async def list_providers():
    return {"providers": [{"provider_id": k, "name": v} for k, v in providers.items()]}


@app.post("/api/bots/{bot_name}/join")
async def join(bot_name: str, request: Join):
    if request.provider_id not in providers:
        raise HTTPException(status_code=404, detail="Bot provider not found")
    return {"status": "joined", "bot": bot_name, "lobby_id": request.lobby_id}
