"""Signing in: a Vietnamese login page, a per-name lockout, sessions in a cookie.

Gradio's own login form is drawn by its page script in English ("Login",
"Incorrect Credentials") before anything of ours can run, and a lockout shows
there as a wrong password (measured with Gradio 6.31). So the chat launches
with Gradio's ``auth_dependency`` instead of ``auth``: this module serves the
login page itself, checks the password with :class:`LoginGuard`, keeps the
session, and tells Gradio who is signed in. The routes are given to Gradio's
FastAPI app when it is built (``app_kwargs``), ahead of Gradio's own, so
``POST /login`` here also serves API clients (``gradio_client.Client(url,
auth=(user, password))``), which expect JSON and a cookie.
"""

from __future__ import annotations

import hmac
import html
import logging
import secrets
import threading
import time
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import HTTPException
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

auth_log = logging.getLogger("kttt.auth")

LOCKOUT = (5, 300.0, 60.0)  # failures, within seconds, locked for seconds (LoginGuard)
SESSION_SECONDS = 12 * 3600  # a working day; then the login page again
MAX_SESSIONS = 10_000  # sessions kept in memory; the oldest go first
COOKIE = "kttt-session"
LOGIN_PATH, LOGOUT_PATH = "/login", "/logout"


class LoginGuard:
    """Checks user:password pairs in constant time, logs every failed login
    (the user name, never the password) and, after ``max_failures`` failures
    for one user name within ``window`` seconds, refuses that name for
    ``lockout`` seconds, right password or not, so a shared link cannot be
    used to guess passwords at speed. The limit is per user name: behind
    Gradio's share proxy every client has the same address.

    :meth:`check` says why a login was refused ("wrong" or "locked"), which
    the login page tells the user; calling the guard returns True or False,
    the form Gradio's ``auth`` takes."""

    def __init__(self, pairs, max_failures: int = LOCKOUT[0], window: float = LOCKOUT[1],
                 lockout: float = LOCKOUT[2], clock=time.monotonic):
        self.passwords = {user: password for user, password in pairs}
        self.max_failures, self.window, self.lockout, self.clock = max_failures, window, lockout, clock
        self.failures: dict[str, list[float]] = {}
        self.locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def seconds_locked(self, username: str) -> float:
        """How long this name must still wait (0 when it may try)."""
        return max(0.0, self.locked_until.get((username or "")[:64], 0.0) - self.clock())

    def check(self, username: str, password: str) -> str:
        """"ok", "wrong" or "locked" (locked now, whether by this failure or before)."""
        now = self.clock()
        name = (username or "")[:64]
        with self._lock:
            if self.locked_until.get(name, 0.0) > now:
                auth_log.warning("login refused for user %r: locked for %.0f s more after repeated failures",
                                 name, self.locked_until[name] - now)
                return "locked"
            expected = self.passwords.get(name)
            if expected is not None and hmac.compare_digest((password or "").encode("utf-8"),
                                                            expected.encode("utf-8")):
                self.failures.pop(name, None)
                return "ok"
            recent = [t for t in self.failures.get(name, []) if now - t < self.window] + [now]
            self.failures[name] = recent
            if len(self.failures) > 10_000:  # user names are free text: bound the memory
                self.failures = {name: recent}
            auth_log.warning("login failed for user %r (%d failures in %.0f s)", name, len(recent), self.window)
            if len(recent) < self.max_failures:
                return "wrong"
            self.locked_until[name] = now + self.lockout
            self.failures.pop(name, None)
            auth_log.warning("user %r locked for %.0f s after %d failed logins", name, self.lockout, len(recent))
            return "locked"

    def __call__(self, username: str, password: str) -> bool:
        return self.check(username, password) == "ok"


def lockout_message(guard: LoginGuard) -> str:
    """The rule, in the words the login page shows above the form."""
    return (f"Sau {guard.max_failures} lần nhập sai mật khẩu trong {guard.window / 60:.0f} phút, tài khoản bị "
            f"tạm khóa {guard.lockout:.0f} giây: khi đó, kể cả mật khẩu đúng cũng bị từ chối; hãy chờ rồi thử lại.")


def refusal_message(guard: LoginGuard, verdict: str, username: str) -> str:
    if verdict == "locked":
        wait = max(1, round(guard.seconds_locked(username)))
        return (f"Tài khoản “{username}” đang bị tạm khóa vì nhập sai mật khẩu {guard.max_failures} lần. "
                f"Hãy chờ {wait} giây rồi đăng nhập lại; trước lúc đó, kể cả mật khẩu đúng cũng bị từ chối.")
    return "Sai tên đăng nhập hoặc mật khẩu."


class Sessions:
    """Signed-in users by random token, each for ``seconds``; in memory, so a
    restart signs everyone out."""

    def __init__(self, seconds: float = SESSION_SECONDS, clock=time.time):
        self.seconds, self.clock = seconds, clock
        self._users: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def start(self, user: str) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            if len(self._users) >= MAX_SESSIONS:
                for old in sorted(self._users, key=lambda t: self._users[t][1])[: MAX_SESSIONS // 10]:
                    del self._users[old]
            self._users[token] = (user, self.clock() + self.seconds)
        return token

    def user(self, token: str | None) -> str | None:
        with self._lock:
            user, expires = self._users.get(token or "", (None, 0.0))
            if user is not None and expires <= self.clock():
                del self._users[token]
                return None
            return user

    def end(self, token: str | None) -> None:
        with self._lock:
            self._users.pop(token or "", None)


PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng nhập · {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f6f8; margin: 0; color: #1f2937; }}
main {{ max-width: 26rem; margin: 8vh auto; background: #fff; padding: 1.5rem 1.75rem; border-radius: .75rem;
       box-shadow: 0 1px 4px rgba(0,0,0,.12); }}
h1 {{ font-size: 1.35rem; margin: 0 0 .75rem; }}
p.rule {{ font-size: .9rem; color: #4b5563; }}
label {{ display: block; margin-top: .9rem; font-weight: 600; }}
input {{ width: 100%; box-sizing: border-box; padding: .6rem; margin-top: .3rem; font-size: 1rem;
        border: 1px solid #cbd5e1; border-radius: .4rem; }}
button {{ margin-top: 1.2rem; width: 100%; padding: .7rem; font-size: 1rem; font-weight: 600; color: #fff;
         background: #15803d; border: 0; border-radius: .4rem; cursor: pointer; }}
#kttt-login-error {{ background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; padding: .6rem .75rem;
                   border-radius: .4rem; }}
</style></head>
<body><main>
<h1>{title}</h1>
<p>Đăng nhập để tiếp tục.</p>
{error}
<form method="post" action="{action}">
<input type="hidden" name="next" value="{next}">
<label for="kttt-user">Tên đăng nhập</label>
<input id="kttt-user" name="username" autocomplete="username" value="{username}" required autofocus>
<label for="kttt-password">Mật khẩu</label>
<input id="kttt-password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Đăng nhập</button>
</form>
<p class="rule">{rule}</p>
</main></body></html>
"""


def _prefix(request: Request) -> str:
    return (request.scope.get("root_path") or "").rstrip("/")


def _safe_next(value: str | None) -> str:
    """Only a path on this server: never another site (an open redirect)."""
    value = value or "/"
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


class SignIn:
    """The login page, its form and the sessions, for ``Blocks.launch``::

        demo.launch(**SignIn(LoginGuard(pairs), title).launch_options())
    """

    def __init__(self, guard: LoginGuard, title: str, sessions: Sessions | None = None):
        self.guard, self.title = guard, title
        self.sessions = sessions or Sessions()

    # Gradio calls this for every request: who is signed in, or None.
    def user(self, request: Request) -> str | None:
        return self.sessions.user(request.cookies.get(COOKIE))

    def page(self, request: Request, error: str = "", username: str = "", next_url: str | None = None,
             status: int = 200) -> HTMLResponse:
        error_html = f'<p id="kttt-login-error" role="alert">{html.escape(error)}</p>' if error else ""
        body = PAGE.format(title=html.escape(self.title), error=error_html, rule=html.escape(lockout_message(self.guard)),
                           action=html.escape(_prefix(request) + LOGIN_PATH),
                           next=html.escape(_safe_next(next_url or request.query_params.get("next"))),
                           username=html.escape(username))
        return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    async def show(self, request: Request):
        if self.user(request) is not None:
            return RedirectResponse(_prefix(request) + "/", status_code=303)
        return self.page(request)

    async def submit(self, request: Request):
        form = await request.form()
        username = str(form.get("username") or "").strip()
        verdict = self.guard.check(username, str(form.get("password") or ""))
        from_page = "next" in form  # the page's form; without it, an API client
        if verdict != "ok":
            if not from_page:
                return JSONResponse({"detail": refusal_message(self.guard, verdict, username)}, status_code=400)
            return self.page(request, refusal_message(self.guard, verdict, username), username,
                             next_url=str(form.get("next") or "/"), status=400)
        token = self.sessions.start(username)
        auth_log.info("user %r signed in", username)
        response = (RedirectResponse(_prefix(request) + _safe_next(str(form.get("next"))), status_code=303)
                    if from_page else JSONResponse({"success": True}))
        response.set_cookie(COOKIE, token, max_age=int(self.sessions.seconds), httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
        return response

    async def logout(self, request: Request):
        self.sessions.end(request.cookies.get(COOKIE))
        response = RedirectResponse(_prefix(request) + LOGIN_PATH, status_code=303)
        response.delete_cookie(COOKIE)
        return response

    async def unauthorized(self, request: Request, exc: HTTPException):
        """Gradio answers 401 to a page asked for without a session: a browser
        is sent to the login page, anything else keeps the 401."""
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse(f"{_prefix(request)}{LOGIN_PATH}?next={quote(request.url.path)}", status_code=303)
        return JSONResponse({"detail": exc.detail}, status_code=401, headers=getattr(exc, "headers", None))

    def routes(self) -> list[Route]:
        return [Route(LOGIN_PATH, self.show, methods=["GET"]), Route(LOGIN_PATH, self.submit, methods=["POST"]),
                Route(LOGIN_PATH + "/", self.submit, methods=["POST"]), Route(LOGOUT_PATH, self.logout, methods=["GET"])]

    def launch_options(self) -> dict:
        return {"auth_dependency": self.user,
                "app_kwargs": {"routes": self.routes(), "exception_handlers": {401: self.unauthorized}}}
