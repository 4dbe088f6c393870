"""The floor: a bare FastAPI app from the same virtualenv, one plaintext route and nothing else.

bench/run.py serves it beside QI Academy and alternates the two in every round, so each of the
app's requests is reported as a ratio to what the framework alone does on the same machine at the
same moment.
"""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/plaintext")
def plaintext() -> PlainTextResponse:
    return PlainTextResponse("ok")
