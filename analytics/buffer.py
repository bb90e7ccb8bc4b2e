"""The Redis buffer between the beacon endpoint and PostgreSQL.

Accepted events are pushed on a list. The writer moves a batch atomically onto its own
processing list (registered with a timestamp), writes it, and deletes the processing list
only after the database committed. A writer that fails puts its batch back; one that dies
leaves the processing list behind, and the next writer re-queues it after a grace period.
Rows carry a unique event id and are inserted with ON CONFLICT DO NOTHING, so a batch
written twice counts once."""

import asyncio
import hashlib
import time
import uuid
import weakref

import redis
import redis.asyncio
from django.conf import settings


def _prefix() -> str:
    # The cache's key prefix keeps parallel test runs (and sites sharing a Redis) apart.
    return settings.CACHES["default"].get("KEY_PREFIX") or "hoitu"


QUEUE = "analytics:events"
PROCESSING = "analytics:processing"  # sorted set: processing list -> claimed at

_TAKE = """
local items = {}
for i = 1, tonumber(ARGV[1]) do
  local v = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])
  if not v then break end
  items[#items + 1] = v
end
if #items > 0 then redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2]) end
return items
"""

_GIVE_BACK = """
local n = 0
while true do
  local v = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])
  if not v then break end
  n = n + 1
end
redis.call('ZREM', KEYS[3], KEYS[1])
return n
"""

# The flood counter of the beacon's address and the push of its event in one round trip
# (EVALSHA): the counter is raised for every post, the event is queued only when the
# address is within its limit. Returns -1 when over the limit, else the queue length (0
# when there is no event to queue).
_COUNT_AND_PUSH = """
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 90)
if n > tonumber(ARGV[1]) then return -1 end
if ARGV[2] == '' then return 0 end
return redis.call('LPUSH', KEYS[2], ARGV[2])
"""

_client = None
_count_and_push = None


def enabled() -> bool:
    return settings.ANALYTICS_BUFFER == "redis"


def keys() -> tuple[str, str]:
    return f"{_prefix()}:{QUEUE}", f"{_prefix()}:{PROCESSING}"


def client() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.ANALYTICS_REDIS_URL)
    return _client


def push(raw: str) -> int:
    """Queues one serialised event; returns the queue length."""
    return client().lpush(keys()[0], raw)


def count_and_push(counter: str, limit: int, raw: str = "") -> int:
    """Counts one post against `counter` (a key under the queue's prefix, kept 90 s) and,
    within `limit`, queues `raw` (if any) in the same atomic script. -1: over the limit,
    nothing queued; otherwise the queue length (0 when `raw` is empty)."""
    global _count_and_push
    if _count_and_push is None or _count_and_push.registered_client is not client():
        _count_and_push = client().register_script(_COUNT_AND_PUSH)
    queue = keys()[0]
    return _count_and_push(keys=[f"{queue}:{counter}", queue], args=[limit, raw])


class _Pipeliner:
    """count_and_push() for one event loop (the beacon server, analytics/asgi.py): the
    scripts that the loop's requests ask for within one turn of the loop go to Redis
    together, in one pipeline (EVALSHA each, so each stays atomic and answers for its own
    post); one round trip and one system call for many beacons. A request gets its own
    script's answer, or the error that stopped the pipeline (then it answers 500)."""

    def __init__(self, url: str):
        self.url = url
        self.client = redis.asyncio.Redis.from_url(url)
        self.sha = hashlib.sha1(
            _COUNT_AND_PUSH.encode(), usedforsecurity=False
        ).hexdigest()  # SCRIPT LOAD
        self.waiting: list = []

    async def call(self, keys: list, args: list) -> int:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((keys, args, future))
        if len(self.waiting) == 1:
            asyncio.get_running_loop().create_task(self.send())
        return await future

    async def send(self):
        await asyncio.sleep(0)  # the other requests of this turn of the loop join
        batch, self.waiting = self.waiting, []
        try:
            answers = await self.run(batch)
            again = [
                i for i, a in enumerate(answers) if isinstance(a, redis.exceptions.NoScriptError)
            ]
            if again:
                # A Redis restarted or flushed: load the script, run again only those
                # (NOSCRIPT: they did not run, nothing was counted or pushed).
                self.sha = await self.client.script_load(_COUNT_AND_PUSH)
                retried = await self.run([batch[i] for i in again])
                for i, answer in zip(again, retried, strict=True):
                    answers[i] = answer
        except Exception as exc:  # noqa: BLE001 - each request answers with it
            answers = [exc] * len(batch)
        for (_, _, future), answer in zip(batch, answers, strict=True):
            if future.done():  # the request went away (cancelled)
                continue
            if isinstance(answer, Exception):
                future.set_exception(answer)
            else:
                future.set_result(answer)

    async def run(self, batch) -> list:
        async with self.client.pipeline(transaction=False) as pipe:
            for keys, args, _ in batch:
                pipe.evalsha(self.sha, len(keys), *keys, *args)
            return await pipe.execute(raise_on_error=False)


# One per event loop (weakly held: a closed loop takes its client with it).
_pipeliners: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _pipeliner() -> _Pipeliner:
    loop = asyncio.get_running_loop()
    found = _pipeliners.get(loop)
    if found is None or found.url != settings.ANALYTICS_REDIS_URL:
        found = _pipeliners[loop] = _Pipeliner(settings.ANALYTICS_REDIS_URL)
    return found


async def count_and_push_async(counter: str, limit: int, raw: str = "") -> int:
    """count_and_push() on an event loop (redis.asyncio): the same script, keys and answer,
    pipelined with the loop's other posts."""
    queue = keys()[0]
    return await _pipeliner().call([f"{queue}:{counter}", queue], [limit, raw])


async def close_async() -> None:
    """Closes this event loop's client (the beacon server's shutdown; tests)."""
    found = _pipeliners.pop(asyncio.get_running_loop(), None)
    if found is not None:
        await found.client.aclose()


def length() -> int:
    return client().llen(keys()[0])


def in_flight() -> int:
    r = client()
    return sum(r.llen(key) for key in r.zrange(keys()[1], 0, -1))


def take(size: int) -> tuple[str, list[bytes]]:
    queue, processing = keys()
    key = f"{processing}:{uuid.uuid4().hex}"
    items = client().eval(_TAKE, 3, queue, key, processing, size, time.time())
    return key, items


def done(key: str) -> None:
    pipe = client().pipeline()
    pipe.delete(key)
    pipe.zrem(keys()[1], key)
    pipe.execute()


def give_back(key: str) -> int:
    """Puts a batch back on the queue (order does not matter: rows carry their time)."""
    queue, processing = keys()
    return client().eval(_GIVE_BACK, 3, key, queue, processing)


def recover_stale(*, older_than: float | None = None) -> int:
    """Re-queues batches whose writer died (a worker killed mid-flush): processing lists
    claimed longer than ANALYTICS_BATCH_STALE_SECONDS ago."""
    if older_than is None:
        older_than = settings.ANALYTICS_BATCH_STALE_SECONDS
    r = client()
    moved = 0
    for key in r.zrangebyscore(keys()[1], 0, time.time() - older_than):
        moved += give_back(key.decode())
    return moved
