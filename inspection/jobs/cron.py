"""`python -m inspection.jobs.cron`: RQ's cron scheduler on the schedule in `schedule.py`, as
`rq cron inspection.jobs.schedule` runs it, except that it outlives a Redis restart.

`rq cron` exits at the first Redis connection error, and with it the reminders and the report
sweeper would stop until someone restarts it. Here the same scheduler waits for Redis and
resumes (registering itself again); SIGINT or SIGTERM still stop it cleanly."""

import logging
import os
import sys
import time

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

SCHEDULE = "inspection.jobs.schedule"
log = logging.getLogger(__name__)


def run(url: str, pause: float = 1.0) -> None:
    """Enqueue the scheduled jobs until stopped, waiting out Redis outages."""
    scheduler = CronScheduler(connection=redis.Redis.from_url(url))
    scheduler.load_config_from_file(SCHEDULE)
    while True:
        try:
            scheduler.start()  # returns on SIGINT/SIGTERM
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            log.warning("cron: Redis unavailable (%s); retrying in %.0f s", exc, pause)
        try:
            time.sleep(pause)
        except StopRequested:  # a stop signal while waiting for Redis
            return


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    run(os.environ["REDIS_URL"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
