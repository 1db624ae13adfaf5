"""Sign-in throttling per account and per address, kept in Redis so every web process shares it.

The per-account key is the folded name as typed, so an unknown name is counted and locked just
like a real one. Second-factor attempts have their own per-account counter."""

from flask import current_app

from ..queue import get_redis
from ..text import fold


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    cfg = current_app.config
    return [
        (f"cchc:login:user:{fold(username)}", cfg["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"]),
        (f"cchc:login:addr:{address}", cfg["LOGIN_MAX_ATTEMPTS_PER_ADDRESS"]),
    ]


def _second_factor_key(user_id: int) -> tuple[str, int]:
    return f"cchc:2fa:user:{user_id}", current_app.config["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"]


def _over(keys: list[tuple[str, int]]) -> bool:
    redis = get_redis()
    return any(int(redis.get(key) or 0) >= limit for key, limit in keys)


def _count(keys: list[tuple[str, int]]) -> None:
    seconds = current_app.config["LOGIN_THROTTLE_SECONDS"]
    with get_redis().pipeline() as pipe:
        for key, _limit in keys:
            pipe.incr(key)
            pipe.expire(key, seconds)
        pipe.execute()


def is_blocked(username: str, address: str) -> bool:
    return _over(_keys(username, address))


def record_failure(username: str, address: str) -> None:
    _count(_keys(username, address))


def clear_account(username: str) -> None:
    get_redis().delete(_keys(username, "")[0][0])


def second_factor_blocked(user_id: int) -> bool:
    return _over([_second_factor_key(user_id)])


def record_second_factor_failure(user_id: int) -> None:
    _count([_second_factor_key(user_id)])


def clear_second_factor(user_id: int) -> None:
    get_redis().delete(_second_factor_key(user_id)[0])
