"""The pid checks the infrastructure relies on to tell a running broker from a dead one."""
from __future__ import annotations

import os

from thads_infra import procs


def test_a_process_whose_command_line_is_empty_for_a_moment_is_alive(monkeypatch):
    # Given our own process, seen in the middle of an exec (its command line reads empty)
    monkeypatch.setattr(procs, "_cmdline", lambda pid: "")
    # Then it is alive: taking it for dead deleted a starting broker's pid file
    assert procs.alive(os.getpid(), expect="server.properties")


def test_a_process_running_something_else_is_not_the_expected_one(monkeypatch):
    monkeypatch.setattr(procs, "_cmdline", lambda pid: "/usr/bin/python3 other.py")
    assert not procs.alive(os.getpid(), expect="server.properties")


def test_a_gone_process_is_not_alive():
    assert not procs.alive(2**22 + 12345, expect="server.properties")
