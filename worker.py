"""RQ worker entry point: `python worker.py` serves the `reports` and `default` queues.

It outlives a Redis outage: RQ's worker quits when Redis goes away while a job runs (it retries
only while waiting for work), so a worker that stopped without being asked to is started again."""

import logging
import sys
import time

import weasyprint  # noqa: F401  imported before forking: each work-horse saves ~0.8 s
from redis.exceptions import RedisError
from rq import Worker
from rq.exceptions import StopRequested

from app import create_app
from inspection.data.queue import QUEUES, get_queue, get_redis
from inspection.reports.pdf import warm_up
from models import db

app = create_app()
warm_up()  # fonts, PDF stylesheet and text shaping loaded once, before forking


log = logging.getLogger("worker")


class AppWorker(Worker):
    """Runs each job inside an app context and releases its session afterwards."""

    stop_signalled = False

    def request_stop(self, signum, frame):
        """SIGINT/SIGTERM: stop for good (not started again)."""
        self.stop_signalled = True
        super().request_stop(signum, frame)

    def perform_job(self, job, queue, execution):
        with app.app_context():
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()


def _worker() -> AppWorker:
    with app.app_context():
        db.engine.dispose()  # work-horses must not share the parent's pooled connections
        queues = [get_queue(name) for name in QUEUES]
        # RQ's scheduler process (it enqueues retries) dies with a Redis outage; the worker
        # restarts it at its next maintenance, every minute instead of RQ's ten
        return AppWorker(queues, connection=get_redis(),
                         maintenance_interval=app.config["WORKER_MAINTENANCE_INTERVAL"])


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    burst = "--burst" in argv
    while True:
        worker = _worker()
        try:
            worker.work(with_scheduler=True, burst=burst)
        except RedisError as exc:  # starting or stopping while Redis is down
            log.warning("worker: Redis unavailable (%s)", exc)
        if burst or worker.stop_signalled:
            return
        log.warning("worker: stopped without being asked to (Redis outage?); starting again in 1 s")
        try:
            time.sleep(1)
        except (StopRequested, RedisError):  # a stop signal meanwhile
            return


if __name__ == "__main__":
    main(sys.argv[1:])
