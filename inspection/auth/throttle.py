"""Sign-in throttling per account and per address, kept in Redis so every web process shares it."""

from flask import current_app

from ..queue import get_redis
from ..text import fold


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    cfg = current_app.config
    return [
        (f"cchc:login:user:{fold(username)}", cfg["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"]),
        (f"cchc:login:addr:{address}", cfg["LOGIN_MAX_ATTEMPTS_PER_ADDRESS"]),
    ]


def is_blocked(username: str, address: str) -> bool:
    redis = get_redis()
    return any(int(redis.get(key) or 0) >= limit for key, limit in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    seconds = current_app.config["LOGIN_THROTTLE_SECONDS"]
    with get_redis().pipeline() as pipe:
        for key, _limit in _keys(username, address):
            pipe.incr(key)
            pipe.expire(key, seconds)
        pipe.execute()


def clear_account(username: str) -> None:
    get_redis().delete(_keys(username, "")[0][0])
