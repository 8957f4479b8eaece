"""The library and the terminal tools work without the 'server' extra; pure modules do no I/O imports."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_library_and_review_tools_import_without_fastapi(tmp_path):
    code = (
        "import sys\n"
        "for m in ('fastapi', 'uvicorn', 'starlette', 'multipart', 'python_multipart'): sys.modules[m] = None\n"
        "import heritage_kit, heritage_kit.submissions, heritage_kit.inbox, heritage_kit.cli\n"
        "from heritage_kit import Submission, Outbox, InboxClient\n"
        "from heritage_kit.inbox import SqliteStorage, publish, InboxService\n"
        "SqliteStorage(sys.argv[1]).close()\n"
        "from heritage_kit.cli import main\n"
        "assert main(['inbox', 'review', 'list', '--db', sys.argv[1]]) == 0\n"
        "assert main(['inbox', 'serve', '--db', sys.argv[1], '--pack', 'nowhere', '--port', '1']) == 1\n"
    )
    res = subprocess.run([sys.executable, "-c", code, str(tmp_path / "i.sqlite")], cwd=ROOT, capture_output=True,
                         text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    assert "server" in res.stderr  # serve explains which extra is missing


PURE = ["submissions/model.py", "submissions/rules.py", "submissions/messages.py", "submissions/photos.py",
        "submissions/duplicates.py", "inbox/moderation.py", "inbox/ratelimit.py"]
IO_MODULES = {"sqlite3", "requests", "socket", "urllib", "http", "fastapi", "starlette", "uvicorn", "os", "pathlib",
              "shutil", "subprocess"}


def test_pure_modules_import_no_io_adapters():
    for rel in PURE:
        tree = ast.parse((ROOT / "heritage_kit" / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in IO_MODULES, f"{rel} imports {name}"
