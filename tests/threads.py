"""Doing things really at once: threads released together by a barrier, each on its own
connection (an app context of its own, or a test client whose every request has one)."""

import threading

from models import db


def at_once(*calls) -> list:
    """Run each callable in its own thread, released together; their results in order.
    An exception in any of them is raised here (the first one)."""
    barrier, results, errors = threading.Barrier(len(calls)), [None] * len(calls), []

    def run(n, call):
        try:
            barrier.wait(30)
            results[n] = call()
        except Exception as exc:  # re-raised below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread is still running after 60 s (deadlock?)"
    if errors:
        raise errors[0]
    return results


def in_app_context(app, call):
    """`call` wrapped to run in an app context of its own (so its own session and connection)."""
    def run():
        with app.app_context():
            try:
                return call()
            finally:
                db.session.remove()
    return run
