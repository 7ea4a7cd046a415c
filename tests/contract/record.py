"""Record what Google's own SDK sends for the seed cases (a development tool, run by hand).

    python -m venv /tmp/genai && /tmp/genai/bin/pip install google-genai==3.6.1
    /tmp/genai/bin/python tests/contract/record.py > tests/contract/google_genai_requests.json

The project never depends on google-genai; this file only documents how the recording was made.
"""

from __future__ import annotations

import http.server
import json
import sys
import threading
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from cases import CASES, canned_response, logged  # noqa: E402

LOG: list[dict[str, Any]] = []


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        size = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(size) if size else b""
        query = dict(urllib.parse.parse_qsl(url.query))
        entry = logged(self.command, url.path, query, self.headers, raw)
        LOG.append(entry)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        ctype, data, extra = canned_response(self.command, url.path, query, entry["body"], base)
        self.send_response(200)
        self.send_header("content-type", ctype)
        for key, value in extra.items():
            self.send_header(key, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve

    def log_message(self, *args: Any) -> None:
        pass


def main() -> None:
    from google import genai
    from google.genai import types

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    client = genai.Client(
        api_key="k", http_options=types.HttpOptions(base_url=base, api_version="v1beta")
    )
    recorded: dict[str, Any] = {"sdk": f"google-genai {genai.__version__}", "cases": {}}
    for name, case in CASES.items():
        LOG.clear()
        case(client, types)
        recorded["cases"][name] = list(LOG)
    server.shutdown()
    json.dump(recorded, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
