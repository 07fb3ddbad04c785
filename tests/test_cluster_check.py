"""`make cluster-check`'s pure parts (shop/devtools/cluster): its table and exit code, the haproxy
configuration it runs (deploy/haproxy.cfg, valid and keeping the shop up while /readyz fails on
every instance), its log counting and the form reading its staff and shoppers post with. The
cluster run itself is not a test: it takes minutes and the whole machine."""

import os
import re
import shutil
import subprocess

import pytest

from shop.devtools.cluster.browser import forms
from shop.devtools.cluster.report import (
    LogMark,
    Row,
    exit_code,
    failure_summary,
    table,
    tracebacks,
)
from shop.devtools.cluster.services import DEPLOY, Ports, haproxy_env

PASSED = Row("replica stopped", "pages 200", "14 pages 200", True)
FAILED = Row("Redis stopped 20 s", "sign-in works", "sign-in | failed", False)


def test_the_table_has_one_row_per_check_with_its_verdict():
    lines = table([PASSED, FAILED]).splitlines()

    assert lines[0].split("|")[1:-1] == [
        f" {name.ljust(len(cell) - 2)} "
        for name, cell in zip(
            ["fault", "expected", "observed", "result"], lines[0].split("|")[1:-1], strict=True
        )
    ]
    assert len(lines) == 4 and {len(line) for line in lines} == {len(lines[0])}
    assert lines[2].rstrip(" |").endswith("pass")
    assert lines[3].rstrip(" |").endswith("FAIL")
    assert "sign-in / failed" in lines[3]  # a cell's own "|" cannot break the table


@pytest.mark.parametrize(
    ("rows", "code"), [([PASSED], 0), ([PASSED, FAILED], 1), ([FAILED], 1), ([], 1)]
)
def test_the_exit_code_is_zero_only_when_every_row_passed(rows, code):
    assert exit_code(rows) == code


def test_every_port_is_in_the_range_given_and_none_twice():
    ports = Ports().all()

    assert len(set(ports)) == len(ports)
    assert all(18200 <= port <= 18299 for port in ports)


def test_each_app_server_is_also_a_backup_that_tracks_only_its_process():
    config = (DEPLOY / "haproxy.cfg").read_text()
    env = haproxy_env(Ports())
    servers = re.findall(r"^\s+server (\S+) \"\$\{(\w+)\}\" (.+)$", config, re.M)

    assert ("app1", "APP1", "check") in servers and ("app2", "APP2", "check") in servers
    assert ("app1-live", "APP1", "backup track alive/app1") in servers
    assert ("app2-live", "APP2", "backup track alive/app2") in servers
    assert "option allbackups" in config
    assert "uri /readyz" in config and "uri /healthz" in config
    assert set(re.findall(r"\$\{(\w+)\}", config)) == set(env)


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy is not installed")
def test_haproxy_accepts_the_configuration_with_the_ports_filled_in():
    checked = subprocess.run(
        ["haproxy", "-c", "-f", str(DEPLOY / "haproxy.cfg")],
        env={**os.environ, **haproxy_env(Ports())},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_log_lines_are_counted_from_the_mark_on(tmp_path):
    log = tmp_path / "app1.log"
    log.write_text("Traceback (most recent call last):\nbefore\n")
    mark = LogMark([log, tmp_path / "not-yet.log"])
    with open(log, "a") as more:
        more.write("WARNING shop.redis_cache: not answering\nTraceback (most recent call last):\n")
    (tmp_path / "not-yet.log").write_text("ERROR started later\n")

    lines = mark.lines_since()

    assert lines == [
        "WARNING shop.redis_cache: not answering",
        "Traceback (most recent call last):",
        "ERROR started later",
    ]
    assert tracebacks(lines) == 1


def test_a_form_is_read_as_a_browser_would_post_it_back():
    page = b"""
    <form action="/x/" method="post" enctype="multipart/form-data">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="title" value="Pin &amp; badge">
      <input type="checkbox" name="is_public" checked><input type="checkbox" name="off">
      <select name="kind"><option value="1">One</option><option value="2" selected>Two</option>
      </select>
      <select name="first"><option value="a">A</option></select>
      <textarea name="body">
Hello</textarea>
      <input type="file" name="images-0-original">
      <button type="submit" name="action" value="continue">Save and continue</button>
      <button type="submit" name="action" value="save">Save</button>
    </form>"""

    (form,) = forms(page)

    assert form.method == "post" and form.files == ["images-0-original"]
    assert form.data(title="New") == [
        ("csrfmiddlewaretoken", "t"),
        ("is_public", "on"),
        ("kind", "2"),
        ("first", "a"),
        ("body", "Hello"),
        ("action", "continue"),
        ("title", "New"),
    ]


def test_a_failed_run_ends_with_its_failed_rows_and_each_logs_last_errors(tmp_path):
    (tmp_path / "app1.log").write_text(
        "2026-12-03 INFO all well\n"
        "2026-12-03 ERROR shop.payments webhook failed\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "ConnectionResetError: [Errno 104] Connection reset by peer\n"
        "2026-12-03 INFO all well again\n"
    )
    (tmp_path / "worker.log").write_text("2026-12-03 INFO quiet\n")

    summary = failure_summary([PASSED, FAILED], tmp_path).splitlines()

    assert summary[1:3] == ["Failed rows:", "- Redis stopped 20 s: sign-in | failed"]
    assert summary[4:] == [
        "Last error lines of app1.log:",
        "2026-12-03 ERROR shop.payments webhook failed",
        "Traceback (most recent call last):",
        "ConnectionResetError: [Errno 104] Connection reset by peer",
    ]
