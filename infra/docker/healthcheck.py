#!/usr/bin/env python3
"""Container HEALTHCHECK: GET http://127.0.0.1:$THADS_HEALTH_PORT/health must answer 2xx.

Images without an HTTP server (one-shot jobs such as topic creation) have no port and count as healthy.
"""
import os
import sys
import urllib.request

port = os.environ.get("THADS_HEALTH_PORT", "")
if not port:
    sys.exit(0)
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=4) as response:
        sys.exit(0 if 200 <= response.status < 300 else 1)
except Exception as exc:  # any failure means unhealthy
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
