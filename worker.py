"""RQ worker entry point: `python worker.py` serves the `reports` and `default` queues."""

import logging
import sys

import weasyprint  # noqa: F401  imported before forking: each work-horse saves ~0.8 s
from rq import Worker

from app import create_app
from inspection.queue import QUEUES, get_queue, get_redis
from inspection.reports.pdf import warm_up
from models import db

app = create_app()
warm_up()  # fonts, PDF stylesheet and text shaping loaded once, before forking


class AppWorker(Worker):
    """Runs each job inside an app context and releases its session afterwards."""

    def perform_job(self, job, queue, execution):
        with app.app_context():
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    burst = "--burst" in argv
    with app.app_context():
        db.engine.dispose()  # work-horses must not share the parent's pooled connections
        queues = [get_queue(name) for name in QUEUES]
        # RQ's scheduler process (it enqueues retries) dies with a Redis outage; the worker
        # restarts it at its next maintenance, every minute instead of RQ's ten
        worker = AppWorker(queues, connection=get_redis(),
                           maintenance_interval=app.config["WORKER_MAINTENANCE_INTERVAL"])
    worker.work(with_scheduler=True, burst=burst)


if __name__ == "__main__":
    main(sys.argv[1:])
