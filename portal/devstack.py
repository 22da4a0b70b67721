"""The local world: the portal with its stand-ins for e-identification, mandates, the code server and
SMTP, all on 127.0.0.1, and one outbox worker delivering the e-mail. Used by the run command
(``python -m portal.devstack``) and the browser tests.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from portal.integrations.demo_data import DEMO_PERSONS, organisation_by_business_id
from portal.integrations.serve import ThreadedServer, serve_in_thread

DEFAULT_PORTS = {"portal": 5000, "eid": 5101, "mandates": 5102, "codeserver": 5103, "smtp": 5125}


@dataclass
class Stack:
    """The running stand-ins; ``config`` is what the portal needs to reach them."""

    servers: dict[str, ThreadedServer] = field(default_factory=dict)
    smtp: Any = None
    config: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
        if self.smtp is not None:
            self.smtp.stop()


def start_standins(
    ports: dict[str, int] | None = None,
    *,
    register_size: int = 3000,
    register_seed: int = 2026,
    maildir: Path | None = None,
    secrets: dict[str, str] | None = None,
) -> Stack:
    """Start every stand-in; a port of 0 picks a free one."""
    from portal.integrations.codeserver.standin import create_standin_app as codeserver_app
    from portal.integrations.eid.standin import create_standin_app as eid_app
    from portal.integrations.mandates.standin import create_standin_app as mandates_app
    from portal.integrations.smtp.standin import SmtpStandin

    ports = {**DEFAULT_PORTS, **(ports or {})}
    secrets = {
        "OIDC_CLIENT_SECRET": "dev-oidc-secret",
        "MANDATES_CLIENT_ID": "kanta-portal",
        "MANDATES_CLIENT_SECRET": "dev-mandates-secret",
        "MANDATES_API_KEY": "dev-mandates-hmac-key",
        **(secrets or {}),
    }
    stack = Stack()
    try:
        stack.servers["eid"] = serve_in_thread(eid_app(), ports["eid"])
        stack.servers["mandates"] = serve_in_thread(
            mandates_app(
                client_id=secrets["MANDATES_CLIENT_ID"],
                client_secret=secrets["MANDATES_CLIENT_SECRET"],
                api_key=secrets["MANDATES_API_KEY"],
            ),
            ports["mandates"],
        )
        stack.servers["codeserver"] = serve_in_thread(
            codeserver_app(size=register_size, seed=register_seed), ports["codeserver"]
        )
        stack.smtp = SmtpStandin(port=ports["smtp"], maildir=maildir).start()
    except BaseException:
        stack.stop()
        raise
    stack.config = {
        **secrets,
        "OIDC_ISSUER": stack.servers["eid"].url,
        "MANDATES_URL": stack.servers["mandates"].url,
        "CODESERVER_URL": stack.servers["codeserver"].url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": stack.smtp.port,
    }
    return stack


def prepare_database(app: Flask, *, sync: bool = True, quiet: bool = False) -> None:
    """Migrate the schema, load new versions of the service descriptions and the commitment, and fill
    the register mirror from the code server if it is empty."""
    from flask_migrate import upgrade

    from portal import ROOT
    from portal.documents.loading import load_documents
    from portal.registry.sync import sync_if_empty

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_documents()
        if sync:
            sync_if_empty(progress=not quiet)


def start_worker(
    config: dict[str, Any],
    *,
    name: str = "devstack",
    poll: float = 1.0,
    log: Any = None,
    schedule: bool = True,
) -> subprocess.Popen:
    """The outbox worker (``flask outbox work``) in a process of its own, as in production, with
    ``config`` (setting names are the environment variables' names) on top of this environment;
    ``log`` takes its output (default: this process's). ``schedule``: it runs the daily jobs too."""
    from portal import ROOT

    env = {**os.environ, **{key: str(value) for key, value in config.items()}}
    # At a lower priority than the web server: the worker's PDFs take a core for a second each, and a
    # reviewer's click must not wait behind them (bench/README.md, the approve click). ``nice`` execs the
    # worker, so the process is the worker itself.
    command = ["nice", "-n", "10", sys.executable, "-m", "flask", "--app", "portal", "outbox", "work"]
    return subprocess.Popen(
        [*command, "--name", name, "--poll", str(poll), "--schedule" if schedule else "--no-schedule"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )


def stop_worker(worker: subprocess.Popen, timeout: float = 30.0) -> int:
    """SIGTERM (the worker finishes the message in hand), then SIGKILL after ``timeout``; its exit code."""
    worker.terminate()
    try:
        return worker.wait(timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        return worker.wait()


def describe_demo(url: str) -> str:
    lines = [
        "",
        f"  The Kanta customer portal is running at {url}",
        "",
        "  Demo persons (choose one on the e-identification page):",
    ]
    for person in DEMO_PERSONS:
        lines.append(f"    {person.sub:<7} {person.given_name} {person.family_name}: {person.description}")
        for business_id, roles in person.mandates.items():
            org = organisation_by_business_id(business_id)
            name = org.name if org else business_id
            lines.append(f"              acts for {name} ({business_id}) as {', '.join(roles)}")
    lines += ["", "  Press Ctrl+C to stop.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from werkzeug.serving import run_simple

    from portal import create_app
    from portal.config import ConfigError

    parser = argparse.ArgumentParser(description="Run the portal with its local stand-ins.")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORTAL_PORT", DEFAULT_PORTS["portal"]))
    )
    parser.add_argument("--register-size", type=int, default=int(os.environ.get("REGISTER_SIZE", 3000)))
    parser.add_argument("--register-seed", type=int, default=int(os.environ.get("REGISTER_SEED", 2026)))
    args = parser.parse_args(argv)

    from portal.config import INSTANCE_DIR

    try:
        stack = start_standins(
            register_size=args.register_size,
            register_seed=args.register_seed,
            maildir=INSTANCE_DIR / "mail",
        )
    except OSError as exc:
        print(
            f"Could not start the local stand-ins: {exc}. Is another copy of the portal running?",
            file=sys.stderr,
        )
        return 1
    url = f"http://127.0.0.1:{args.port}"
    # The stand-ins' request lines would bury the sync's progress bar; the portal's own show later.
    werkzeug_log = logging.getLogger("werkzeug")
    werkzeug_log.setLevel(logging.WARNING)
    try:
        app = create_app(stack.config)
        prepare_database(app)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        stack.stop()
        return 1
    worker = start_worker(stack.config)
    print(describe_demo(url), flush=True)
    werkzeug_log.setLevel(logging.INFO)
    try:
        run_simple("127.0.0.1", args.port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        stop_worker(worker)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
