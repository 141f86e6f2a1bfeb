"""A fork server for the hostile suite: import synth once, run each command in a forked child.

``python -m synth`` spends about 0.6 s importing (pandas, pyarrow, pydantic, ...) before it looks at
its arguments; a hundred cases would spend a minute of CPU on imports alone. This server imports
the CLI and its heavy dependencies once, then for each request (one JSON line on stdin: args, cwd,
env, out/err/result/pid file paths) forks a *waiter*, which forks the *worker*: the worker sets the
working directory, the environment, ``sys.argv`` and file descriptors 0-2 exactly as a fresh
process would have them and runs the CLI's ``main()``; an exception escaping it is printed as the
interpreter prints it (a traceback) with exit code 1, KeyboardInterrupt ends the process by SIGINT
as CPython does. The waiter records the worker's exit code (negative: killed by that signal) in
the result file. Only the import is shared; every command runs in a process of its own.

Set ``HOSTILE_SUBPROCESS=1`` to run every case as a real ``python -m synth`` instead.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sys
import traceback


def _worker(req: dict) -> None:
    """Become the command: never returns."""
    code = 1
    try:
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        sys.path[0] = req["cwd"]  # as ``python -m`` puts the working directory first
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, req["stdout"], os.O_WRONLY | os.O_CREAT),
                                (2, req["stderr"], os.O_WRONLY | os.O_CREAT)):
            f = os.open(path, flags, 0o644)
            os.dup2(f, fd)
            os.close(f)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.stdin = open(os.devnull)  # noqa: SIM115 - drop what the server read ahead
        sys.argv = ["synth", *req["args"]]
        from synth.cli.main import main

        try:
            main()
            code = 0
        except SystemExit as e:
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code
            else:
                print(e.code, file=sys.stderr)
                code = 1
        except KeyboardInterrupt:
            traceback.print_exc()
            _finish()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        except BaseException:  # noqa: BLE001 - printed as the interpreter would
            traceback.print_exc()
            code = 1
        _finish()
    finally:
        os._exit(code)


def _finish() -> None:
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass


def _waiter(req: dict) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    pid = os.fork()
    if pid == 0:
        _worker(req)
    with open(req["pid"], "w") as f:
        f.write(str(pid))
    _, status = os.waitpid(pid, 0)
    tmp = req["result"] + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(os.waitstatus_to_exitcode(status)))
    os.replace(tmp, req["result"])
    os._exit(0)


def serve() -> None:
    """Import once, then fork one waiter per request line until stdin closes."""
    sys.path.pop(0)  # this file's folder is not on a real command's path
    import duckdb  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    import yaml  # noqa: F401

    import synth.cli.main  # noqa: F401

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # waiters are reaped automatically
    print("ready", flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        if os.fork() == 0:
            _waiter(req)


if __name__ == "__main__":
    serve()
