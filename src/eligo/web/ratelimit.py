"""A small in-memory rate limiter: a sliding window of timestamps per (bucket, client).

One process, no shared store: enough for one uvicorn worker. Put a proxy limit in front when
running several workers.

    limit = RateLimit("contact", per_minute=5)
    @router.post("/contact", dependencies=[Depends(limit)])
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import HTTPException, Request

_MAX_CLIENTS = 50_000  # bound the memory an address-spraying client can make us use


class RateLimit:
    """FastAPI dependency: at most ``per_minute`` calls per client address in any 60 s window.

    ``per_minute`` None reads the app setting named by ``setting`` (default
    ``form_rate_per_minute``) at call time, so tests and deployments can tune it.
    """

    def __init__(
        self,
        bucket: str,
        *,
        per_minute: int | None = None,
        setting: str = "form_rate_per_minute",
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bucket = bucket
        self.per_minute = per_minute
        self.setting = setting
        self.window = window_seconds
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, limit: int) -> bool:
        now = self.clock()
        with self._lock:
            if len(self._hits) > _MAX_CLIENTS:
                self._forget_idle(now)
            hits = self._hits.setdefault(client, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def _forget_idle(self, now: float) -> None:
        for client in [c for c, h in self._hits.items() if not h or now - h[-1] >= self.window]:
            del self._hits[client]
        if len(self._hits) > _MAX_CLIENTS:
            self._hits.clear()

    def _limit(self, request: Request) -> int:
        if self.per_minute is not None:
            return self.per_minute
        return int(getattr(request.app.state.settings, self.setting))

    async def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        if not self.allow(client, self._limit(request)):
            raise HTTPException(
                status_code=429,
                detail="Too many requests in a short time. Wait a minute and try again.",
                headers={"Retry-After": str(int(self.window))},
            )
