"""Stand-in for the BenchAI router: a FastAPI app served by uvicorn.run() on 8085."""
import uvicorn
from fastapi import FastAPI

app = FastAPI(title="benchai-router-v3")


@app.on_event("startup")
async def startup():
    print("[STARTUP] benchai-router-v3: memory=on rag=on tts=on obsidian=on", flush=True)


@app.on_event("shutdown")
async def shutdown():
    print("[CLEANUP] Found 1 orphaned llama-server processes, killing...", flush=True)


@app.get("/health")
async def health():
    return {"status": "ok", "service": "benchai-router-v3"}


if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8085)
