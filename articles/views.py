from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from comments.discussion import (
    PageOutOfRange,
    discussion_context,
    discussion_url,
    sort_from,
    view_from,
)
from comments.forms import CommentForm
from federation.negotiation import wants_activity_json
from federation.views import article_response
from newsite import pagecache

from .feeds import author_feed_links
from .models import Article, Author, Source, Tag


class PublishedArticlesMixin:
    """Every public page reads articles through this one queryset."""

    def get_queryset(self):
        return Article.objects.published().for_listing()


class ArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_context_data(self, **kwargs):
        # Listings show articles and their comment counts: fragments are keyed by both.
        versions = pagecache.versions(self.request, site=pagecache.SITE, lists=pagecache.LISTS)
        return super().get_context_data(versions=versions, **kwargs)


class FrontPageView(ArticleListView):
    """The front page: a lead story, a grid of the next ones, the most discussed, and sections
    for the busiest tags. Later pages are the plain list."""

    template_name = "articles/front_page.html"

    def get_queryset(self):
        # The cards here show tags but not sources: one prefetch fewer than other listings.
        return Article.objects.published().prefetch_related("tags").defer("body", "body_html")


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    """The article and its discussion, for every reader.

    The parts every reader shares (the article, its metadata, related stories) are template
    fragments kept under the content versions; the discussion is rendered for each reader.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    # A comment the reader could not post, shown again with its errors (comments.views).
    refused_form: CommentForm | None = None

    def get_queryset(self):
        return Article.objects.published().prefetch_related("tags", "sources")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        # Other servers (Mastodon…) ask the same URL for the article as ActivityStreams JSON;
        # both answers say Vary: Accept, and every cache keys them apart (newsite/pagecache.py).
        if wants_activity_json(request):
            response = article_response(self.object)
        else:
            response = self.get_html(request)
        patch_vary_headers(response, ["Accept"])
        return response

    def get_html(self, request):
        try:
            discussion = discussion_context(request, self.object, form=self.refused_form)
        except PageOutOfRange as past_the_end:
            return redirect(
                discussion_url(
                    self.object,
                    sort=sort_from(request),
                    page=past_the_end.last,
                    view=view_from(request),
                )
            )
        versions = pagecache.versions(
            request, site=pagecache.SITE, discussion=pagecache.discussion(self.object.slug)
        )
        return self.render_to_response(self.get_context_data(versions=versions, **discussion))


class TagArticleListView(ArticleListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class SourceArticleListView(ArticleListView):
    template_name = "articles/source_detail.html"

    def get_queryset(self):
        self.source = get_object_or_404(Source, slug=self.kwargs["slug"])
        return super().get_queryset().filter(sources=self.source)

    def get_context_data(self, **kwargs):
        return super().get_context_data(source=self.source, **kwargs)


class AuthorArticleListView(ArticleListView):
    """An author's page: who they are, and their published articles, newest first."""

    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            author=self.author, feeds=author_feed_links(self.author), **kwargs
        )


@method_decorator([never_cache, staff_member_required], name="dispatch")
class ArticlePreviewView(PermissionRequiredMixin, DetailView):
    """Any article, published or not, as readers would see it, for staff who may view it.

    The public detail view keeps answering 404 for drafts and scheduled articles.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    permission_required = "articles.view_article"
    raise_exception = True

    def get_queryset(self):
        return Article.objects.prefetch_related("tags", "sources")

    def get_context_data(self, **kwargs):
        editor_url = reverse("admin:articles_article_change", args=[self.object.pk])
        return super().get_context_data(preview=True, editor_url=editor_url, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
