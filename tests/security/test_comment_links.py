"""Finding 9: the comment link cap counts links as readers get them, in the rendered HTML."""

import pytest

from comments import services
from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_link_cap_counts_links_in_the_rendered_html(rules, article, reader):
    """Finding 9: `[x](http:host)` is a link once rendered (browsers open http://host/), so
    it counts toward the cap like any other spelling of a link."""
    rules.max_links = 2
    rules.save()
    sneaky = "[one](http:a.example) [two](HTTPS:b.example) [three](http:c.example)"
    with pytest.raises(services.TooManyLinks, match="3 links; at most 2"):
        services.comment_create(article=article, author=reader, body=sneaky)
    assert not Comment.objects.exists()

    # Every spelling counts: Markdown links, autolinks, mailto and bare addresses.
    assert services.count_links("[x](http:host)") == 1
    assert services.count_links("<http://a.example>") == 1  # the text inside is not a second
    assert services.count_links("[x](mailto:a@b.example) and www.c.example") == 2
    # What the sanitiser drops is no link.
    assert services.count_links("[x](javascript:alert(1)) [y](//evil.example)") == 0

    # At the cap the comment is posted, and the rendered HTML has exactly that many links.
    comment = services.comment_create(
        article=article, author=reader, body="[one](http:a.example) [two](http:b.example)"
    )
    assert comment.body_html.count("<a ") == 2


def test_link_cap_applies_to_edits_too(rules, article, reader):
    """Finding 9: an edit cannot sneak the links in either."""
    rules.max_links = 1
    rules.save()
    comment = services.comment_create(article=article, author=reader, body="Plain words.")
    with pytest.raises(services.TooManyLinks):
        services.comment_edit(
            comment=comment, editor=reader, body="[a](http:a.example) [b](http:b.example)"
        )
    comment.refresh_from_db()
    assert comment.body == "Plain words."
