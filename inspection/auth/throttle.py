"""Sign-in throttling per account and per address, kept in Redis so every web process shares it.

The per-account key is the folded name as typed, so an unknown name is counted and locked just
like a real one (saying "locked" then tells nothing about whether the account exists). The
per-address limit counts the distinct names that failed from the address, not the failures: an
office behind one NAT address is not locked out by a few colleagues mistyping their own passwords
(each of them meets their own account's limit first); one address trying many names is.
Second-factor attempts have their own per-account counter."""

from datetime import datetime, timedelta

from flask import current_app

from models import utcnow

from ..data.queue import get_redis
from ..language.text import fold

ACCOUNT, ADDRESS = "account", "address"


def _account_key(username: str) -> tuple[str, int]:
    return f"cchc:login:user:{fold(username)}", current_app.config["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"]


def _address_key(address: str) -> tuple[str, int]:
    return f"cchc:login:names:{address}", current_app.config["LOGIN_MAX_ATTEMPTS_PER_ADDRESS"]


def _second_factor_key(user_id: int) -> tuple[str, int]:
    return f"cchc:2fa:user:{user_id}", current_app.config["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"]


def _until(key: str) -> datetime:
    ttl = get_redis().ttl(key)
    return utcnow() + timedelta(seconds=max(ttl, 1))


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


def locked(username: str, address: str) -> tuple[str, datetime] | None:
    """(ACCOUNT or ADDRESS, until when) while sign-in is locked for this name or address."""
    key, limit = _account_key(username)
    if int(get_redis().get(key) or 0) >= limit:
        return ACCOUNT, _until(key)
    key, limit = _address_key(address)
    if get_redis().scard(key) >= limit:
        return ADDRESS, _until(key)
    return None


def record_failure(username: str, address: str) -> None:
    seconds = current_app.config["LOGIN_THROTTLE_SECONDS"]
    account, address_key = _account_key(username)[0], _address_key(address)[0]
    with get_redis().pipeline() as pipe:
        pipe.incr(account)
        pipe.expire(account, seconds)
        pipe.sadd(address_key, fold(username))
        pipe.expire(address_key, seconds)
        pipe.execute()


def clear_account(username: str) -> None:
    get_redis().delete(_account_key(username)[0])


def second_factor_blocked(user_id: int) -> bool:
    return _over([_second_factor_key(user_id)])


def record_second_factor_failure(user_id: int) -> None:
    _count([_second_factor_key(user_id)])


def clear_second_factor(user_id: int) -> None:
    get_redis().delete(_second_factor_key(user_id)[0])
