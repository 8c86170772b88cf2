"""Running a benchmark on an earlier revision beside the current code: the shared part.

`checkout(rev)` puts the revision in a temporary `git worktree`; `run_in(tree, args)` runs a
command with `assessment` imported from that tree (PYTHONPATH first, before the installed
package). The callers alternate the two trees round by round, so that a machine busy with
other work slows both alike.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """The revision `rev` of this repository in a temporary worktree, removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="dtm-against-"))
    tree = parent / "tree"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), rev],
        check=True,
    )
    try:
        yield tree
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
        )
        shutil.rmtree(parent, ignore_errors=True)


def env_for(tree: Path) -> dict[str, str]:
    """The environment that makes a child import `assessment` from `tree`."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def run_in(tree: Path, script: Path, *args: str) -> dict[str, Any]:
    """Run `script --child …` with `tree`'s code; its last stdout line is one JSON object."""
    done = subprocess.run(
        [sys.executable, str(script), "--child", *args],
        env=env_for(tree),
        cwd=tree,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{script.name} failed with the code of {tree}:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def revision(tree: Path) -> str:
    """The short commit id checked out in `tree`."""
    return subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def machine() -> dict[str, Any]:
    """What else the machine was doing: cores and the load averages when the run ended."""
    one, five, fifteen = os.getloadavg()
    return {
        "cores": len(os.sched_getaffinity(0)),
        "load_average": [round(one, 1), round(five, 1), round(fifteen, 1)],
    }
