"""Serve Ralph's LRS API with its file-system backend; run by Ralph's interpreter (.venv-ralph).

`ralph runserver` starts uvicorn with reload on (a watcher and a child process) and, in Ralph
5.1, its file-system LRS backend writes every POST in the data backend's default "create"
mode, which refuses a file that exists: the first POST is stored and every later one answers
500. The data backend supports "append"; this makes it the LRS backend's default and serves
Ralph's own app (`ralph.api:app`), changing nothing else.

Usage: python ralph_serve.py PORT   (configuration from RALPH_* variables, as for Ralph itself)
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402  (after the backend's default is set)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
