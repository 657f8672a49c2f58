"""`parley sources check`: fetch every source's URL and record whether it still answers.

Safety first, because an editor types the URLs: every hop goes through app/outbound.py, the
guard the webhook worker uses too (it resolves each name itself, refuses any non-public
address, and connects to the address it checked: no DNS rebinding). Every redirect hop is
resolved and checked the same way, up to a limit.

Checks run in a bounded thread pool (settings.link_check_concurrency), each socket with a
timeout, and their results go to source_link_check (one row per source; no revisions: migration
0014 says why).
"""

from __future__ import annotations

import datetime as dt
import http.client
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urljoin

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LinkOutcome, Source, SourceLinkCheck
from app.models.link_check import DETAIL_MAX
from app.outbound import Refused, connect
from app.settings import Settings

USER_AGENT = "Parley link checker (+source archive check)"
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class LinkResult:
    url: str
    outcome: LinkOutcome
    status_code: int | None
    detail: str


def _fetch_once(url: str, settings: Settings) -> tuple[int, str | None]:
    """One request to `url` at its checked address (app/outbound.py): status and Location."""
    allow = settings.link_check_allow_loopback and settings.environment != "production"
    connection, where = connect(url, allow_loopback=allow, timeout=settings.link_check_timeout_s)
    try:
        connection.request(
            "GET",
            where.path,
            headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"},
        )
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def check_url(url: str, settings: Settings) -> LinkResult:
    """Follow `url` through at most settings.link_check_max_redirects redirects."""
    current = url
    try:
        for _hop in range(settings.link_check_max_redirects + 1):
            status, location = _fetch_once(current, settings)
            if status in REDIRECTS and location:
                current = urljoin(current, location)
                continue
            if 200 <= status < 400:
                return LinkResult(url, LinkOutcome.OK, status, f"HTTP {status}")
            return LinkResult(url, LinkOutcome.BROKEN, status, f"HTTP {status}")
        return LinkResult(
            url,
            LinkOutcome.BROKEN,
            None,
            f"more than {settings.link_check_max_redirects} redirects (a redirect loop?)",
        )
    except Refused as refused:
        return LinkResult(url, LinkOutcome.REFUSED, None, str(refused)[:DETAIL_MAX])
    except TimeoutError:
        return LinkResult(url, LinkOutcome.ERROR, None, "timed out")
    except (OSError, http.client.HTTPException, ValueError) as error:
        detail = f"{type(error).__name__}: {error}"
        return LinkResult(url, LinkOutcome.ERROR, None, detail[:DETAIL_MAX])


def check_urls(urls: Iterable[str], settings: Settings) -> list[LinkResult]:
    """Check every URL, at most settings.link_check_concurrency at once, in the given order."""
    with ThreadPoolExecutor(max_workers=settings.link_check_concurrency) as pool:
        return list(pool.map(lambda url: check_url(url, settings), urls))


def check_sources(session: Session, settings: Settings) -> dict[LinkOutcome, int]:
    """Check every source's URL and record each result; counts by outcome."""
    sources = session.execute(select(Source.id, Source.url).order_by(Source.id)).all()
    # The database connection is not held while the network is slow.
    session.rollback()
    results = check_urls([url for _, url in sources], settings)
    now = dt.datetime.now(dt.UTC)
    counts = dict.fromkeys(LinkOutcome, 0)
    for (source_id, _), result in zip(sources, results, strict=True):
        counts[result.outcome] += 1
        session.merge(
            SourceLinkCheck(
                source_id=source_id,
                outcome=result.outcome.value,
                status_code=result.status_code,
                detail=result.detail,
                checked_at=now,
            )
        )
    session.commit()
    return counts
