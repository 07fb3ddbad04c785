"""The Django admin answers at ADMIN_URL (default "admin/"), so production can move it off the
path every scanner tries first."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

import shop.urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_at():
    """Rebuild the root URLconf with the admin at another path; the default comes back after."""

    def move(path: str):
        override = override_settings(ADMIN_URL=path)
        override.enable()
        moved.append(override)
        importlib.reload(shop.urls)
        clear_url_caches()

    moved = []
    yield move
    for override in moved:
        override.disable()
    importlib.reload(shop.urls)
    clear_url_caches()


def test_admin_is_at_admin_by_default(client):
    assert reverse("admin:index") == "/admin/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_another_admin_url_moves_the_admin_and_leaves_nothing_at_admin(client, admin_at):
    admin_at("back-office-7f3q/")

    assert reverse("admin:index") == "/back-office-7f3q/"
    assert client.get("/back-office-7f3q/")["Location"].startswith("/back-office-7f3q/login/")
    assert client.get("/back-office-7f3q/login/").status_code == 200
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_robots_txt_does_not_give_the_admin_path_away(client, admin_at):
    admin_at("back-office-7f3q/")

    assert "back-office" not in client.get("/robots.txt").content.decode()


@pytest.mark.parametrize(
    ("environment", "admin"),
    [({}, "/admin/"), ({"ADMIN_URL": "/back-office-7f3q"}, "/back-office-7f3q/")],
)
def test_admin_url_comes_from_the_environment(environment, admin):
    """A fresh process, as the server would start: settings read ADMIN_URL, shop.urls uses it."""
    show = "import django; django.setup(); from django.urls import reverse; print(reverse('admin:index'))"
    env = {key: value for key, value in os.environ.items() if key != "ADMIN_URL"}
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=Path(__file__).resolve().parent.parent,
        env={**env, "DJANGO_SETTINGS_MODULE": "shop.settings", **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == admin
