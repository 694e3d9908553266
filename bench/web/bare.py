"""The baseline of bench/web/throughput.py: a bare FastAPI page, served by the same uvicorn the same way."""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

app = FastAPI()
PAGE = "<!doctype html><html lang='nl'><head><title>bare</title></head><body><h1>Hallo</h1></body></html>"


@app.get("/", response_class=HTMLResponse)
def home() -> HTMLResponse:
    return HTMLResponse(PAGE)


@app.get("/async", response_class=HTMLResponse)
async def home_async() -> HTMLResponse:
    return HTMLResponse(PAGE)
