"""Staff login, sessions and CSRF on the real gateway process (DESIGN.md §7)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import RunningSystem
from tests.handoff.kit import Console, add_staff, conversation, handoff, new_district

pytestmark = pytest.mark.integration


def test_login_sets_a_strict_httponly_cookie_and_returns_tokens(system: RunningSystem) -> None:
    (account,) = add_staff(system, ("staff", new_district()))
    with httpx.Client(base_url=system.gateway) as client:
        response = client.post(
            "/api/staff/login", json={"username": account.username, "password": account.password}
        )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("banshi_staff=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    body = response.json()
    assert body["staff"]["username"] == account.username and body["staff"]["role"] == "staff"
    assert body["token"] in cookie and len(body["csrf_token"]) >= 24
    assert "password" not in response.text


@pytest.mark.parametrize(
    ("username", "password"),
    [("nobody-here", "Correct-Horse-9"), (None, "wrong-password-1")],
)
def test_wrong_credentials_are_401(
    system: RunningSystem, username: str | None, password: str
) -> None:
    (account,) = add_staff(system, ("staff", new_district()))
    with httpx.Client(base_url=system.gateway) as client:
        response = client.post(
            "/api/staff/login",
            json={"username": username or account.username, "password": password},
        )
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "login_failed", "message": "用户名或密码不对。"}
    assert "set-cookie" not in response.headers


def test_no_default_accounts_outside_the_demo(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway) as client:
        for username in ("demo-staff", "demo-supervisor", "admin"):
            response = client.post(
                "/api/staff/login", json={"username": username, "password": "banshi-demo-2026"}
            )
            assert response.status_code == 401


def test_repeated_failures_lock_the_login(system: RunningSystem) -> None:
    (account,) = add_staff(system, ("staff", new_district()))
    with httpx.Client(base_url=system.gateway) as client:
        codes = [
            client.post(
                "/api/staff/login", json={"username": account.username, "password": "nope-nope-1"}
            ).status_code
            for _ in range(3)
        ]
        assert codes == [401] * 3
        locked = client.post(
            "/api/staff/login", json={"username": account.username, "password": account.password}
        )
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "login_locked"
    assert locked.headers["Retry-After"] == "1"


def test_csrf_is_required_with_the_cookie_but_not_with_the_bearer_token(
    system: RunningSystem,
) -> None:
    district = new_district()
    (account,) = add_staff(system, ("staff", district))
    first = handoff(system, conversation(system), district=district)
    second = handoff(system, conversation(system), district=district)
    with Console(system.gateway, account) as console:
        claim = f"/api/handoffs/{first['handoff_id']}/claim"
        missing = console.http.post(claim, json={})
        assert missing.status_code == 403 and missing.json()["error"]["code"] == "csrf_failed"
        wrong = console.http.post(claim, json={}, headers={"X-CSRF-Token": "forged"})
        assert wrong.status_code == 403
        foreign = console.http.post(
            claim, json={}, headers={"X-CSRF-Token": console.csrf, "Origin": "http://evil.example"}
        )
        assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "csrf_failed"
        assert console.post(claim).status_code == 200
        # A bearer token is never sent by a browser on its own: no CSRF token needed.
        with httpx.Client(base_url=system.gateway) as api:
            response = api.post(
                f"/api/handoffs/{second['handoff_id']}/claim",
                headers={"Authorization": f"Bearer {console.token}"},
            )
        assert response.status_code == 200


def test_logout_ends_the_session(system: RunningSystem) -> None:
    (account,) = add_staff(system, ("staff", new_district()))
    console = Console(system.gateway, account)
    assert console.get("/api/staff/me").status_code == 200
    assert console.get("/api/staff/me").json()["csrf_token"] == console.csrf
    console.close(logout=True)
    with httpx.Client(base_url=system.gateway) as client:
        stale = client.get("/api/staff/me", headers={"Authorization": f"Bearer {console.token}"})
        assert stale.status_code == 401 and stale.json()["error"]["code"] == "session_invalid"
        anonymous = client.get("/api/staff/me")
        assert (
            anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "login_required"
        )


def test_staff_command_refuses_weak_passwords_and_duplicates(system: RunningSystem) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, **system.settings.child_env()}
    command = [sys.executable, "-m", "banshi", "staff", "add", "weakling", "--role", "staff"]
    command += ["--district", "测试区", "--password-stdin"]
    weak = subprocess.run(
        command, input="123456\n", capture_output=True, text=True, env=env, check=False
    )
    assert weak.returncode == 2 and "至少要10位" in weak.stderr
    (account,) = add_staff(system, ("staff", new_district()))
    command[5] = account.username
    again = subprocess.run(
        command, input="Another-Horse-7\n", capture_output=True, text=True, env=env, check=False
    )
    assert again.returncode == 1 and "exists already" in again.stderr
