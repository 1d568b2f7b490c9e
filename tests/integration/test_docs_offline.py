"""Every service's /docs (Swagger UI) and /redoc work on a closed network: headless Chromium, with
every host but 127.0.0.1 unresolvable and every non-local request sent to a dead proxy, opens the
pages and must find each operation of the service's OpenAPI document rendered.

The apps are built by each service's own `build()` and served by uvicorn in this process with the
lifespan off (the docs need neither PostgreSQL nor Kafka). Chromium is Debian's `chromium`, which
`make test` installs when missing (Makefile `system-deps`); this test installs nothing."""
from __future__ import annotations

import importlib
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import uvicorn

from thads_infra import layout
from thads_infra.testing import free_port

pytestmark = pytest.mark.integration

CLOSED_NETWORK = [
    "--proxy-server=127.0.0.1:9",                                   # nothing listens there
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",    # no name resolves
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if binary := shutil.which(name):
            return binary
    pytest.fail("chromium is not installed: run `apt-get install -y chromium` (Debian package; "
                "`make test` installs it)")


def render(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran (virtual time: the browser fast-forwards timers)."""
    out = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         f"--user-data-dir={profile}", *CLOSED_NETWORK, "--virtual-time-budget=20000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.fixture(params=[s for s in layout.SERVICES], ids=lambda s: s.name)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, Any]]]:
    main = importlib.import_module(request.param.module)
    settings_cls = getattr(main, "Settings", None) or importlib.import_module(
        request.param.module.rsplit(".", 1)[0] + ".settings").Settings
    app = main.build(settings_cls())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app.openapi()
    finally:
        server.should_exit = True
        thread.join(10)


def test_swagger_ui_lists_every_operation_without_network(served, tmp_path):
    base, spec = served

    dom = render(f"{base}/docs", tmp_path / "profile")

    assert "swagger-ui" in dom
    for path, operations in spec["paths"].items():
        assert f'data-path="{path}"' in dom, f"{path} not listed by Swagger UI"
        for method in operations:
            assert f'opblock-{method}' in dom


def test_redoc_lists_the_operations_without_network(served, tmp_path):
    base, spec = served

    dom = render(f"{base}/redoc", tmp_path / "profile")

    summaries = {op["summary"] for ops in spec["paths"].values() for op in ops.values() if op.get("summary")}
    assert summaries
    missing = {s for s in summaries if s.replace("&", "&amp;") not in dom}
    assert not missing, f"ReDoc did not render: {sorted(missing)[:5]}"
