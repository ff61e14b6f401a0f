"""{% fragment %}: page parts kept per process under the generation tokens of what they show."""

import pytest
from django.core.cache import caches
from django.template import Context, Template

from newsite.fragments import by_generation, cached

TEMPLATE = Template('{% load fragments %}{% fragment "part" token %}{{ value }}{% endfragment %}')


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.FRAGMENT_CACHE = True
    caches["fragments"].clear()


def render(**context) -> str:
    return TEMPLATE.render(Context(context))


def test_a_fragment_is_rendered_once_per_token():
    assert render(token="t1", value="first") == "first"
    assert render(token="t1", value="second") == "first"  # kept: the token did not change
    assert render(token="t2", value="second") == "second"  # a write renewed the token


def test_without_a_token_it_renders_every_time():
    assert render(token=None, value="first") == "first"
    assert render(token=None, value="second") == "second"
    assert render(value="third") == "third"  # no token in the context at all


def test_switched_off_it_renders_every_time(settings):
    settings.FRAGMENT_CACHE = False
    assert render(token="t1", value="first") == "first"
    assert render(token="t1", value="second") == "second"


def test_cached_computes_once_per_key_and_never_for_none():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    key = by_generation("count", "t1", 7)
    assert cached(key, compute) == cached(key, compute) == 1
    assert by_generation("count", None, 7) is None
    assert cached(None, compute) == 2
    assert by_generation("count", "t2", 7) != key
