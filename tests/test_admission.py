"""The front's admission control (``policykg.web.endpoint.admission``): which requests are expensive, and the two
lanes that keep lookups out of the queries' queue."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import pytest

from policykg.web.endpoint.admission import Admission, Refused, is_expensive

QUERY_STRINGS = ["query=ASK%20%7B%7D", "qu%65ry=x", "a=1&update=INSERT", "", "default-graph-uri=x", "query",
                 "query=", "queryx=1", "x=query", "%71uery=1", "up+date=1", "update%20=1", "&&query=1&",
                 "q=1;query=2", "query%3D1", "a=b=c&update=d", "%zz=1&query=2"]


@pytest.mark.parametrize("query_string", QUERY_STRINGS)
def test_a_request_is_expensive_exactly_when_its_decoded_keys_name_a_query_or_an_update(query_string):
    """The keys are read without decoding the query's text; the answer is the one parse_qsl's keys give."""
    keys = {key for key, _ in parse_qsl(query_string, keep_blank_values=True)}
    assert is_expensive("GET", "/sparql", query_string) == bool(keys & {"query", "update"})


def test_posts_the_store_and_named_queries_are_expensive_and_pages_are_not():
    assert is_expensive("POST", "/sparql", "")
    assert is_expensive("GET", "/store", "default")
    assert is_expensive("GET", "/queries/procedures", "")
    assert not is_expensive("GET", "/", "query=x")
    assert not is_expensive("GET", "/.well-known/void", "")


def test_lookups_pass_while_the_expensive_lane_is_full_and_its_queue_waits_in_order():
    async def scenario():
        admission = Admission(expensive=2, lookups=1, deadline=5.0)
        for _ in range(2):
            await admission.acquire(True)
        started: list[int] = []

        async def queued(number: int) -> None:
            await admission.acquire(True)
            started.append(number)

        waiting = [asyncio.create_task(queued(number)) for number in range(3)]
        await asyncio.sleep(0.01)
        assert started == [] and admission.running == 2
        await asyncio.wait_for(admission.acquire(False), 1.0)  # a lookup does not queue behind the queries
        assert admission.running == 3
        admission.release(True)
        admission.release(True)
        await asyncio.sleep(0.01)
        assert started == [0, 1]
        admission.release(True)
        await asyncio.sleep(0.01)
        assert started == [0, 1, 2]
        await asyncio.gather(*waiting)

    asyncio.run(scenario())


def test_an_expensive_request_that_waits_past_the_deadline_is_refused_and_its_place_is_not_taken():
    async def scenario():
        admission = Admission(expensive=1, lookups=1, deadline=0.05)
        await admission.acquire(True)
        with pytest.raises(Refused, match="busy"):
            await admission.acquire(True)
        assert admission.expensive.running == 1 and not admission.expensive.waiting

    asyncio.run(scenario())
