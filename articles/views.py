from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from comments.thread import Discussion, PageOutOfRange, discussion_url, sort_from
from newsite import pagecache
from newsite.fragments import by_generation, cached

from .models import Article, Source, Tag


class PublishedArticlesMixin:
    """Every public page reads articles through this one queryset."""

    def get_queryset(self):
        return Article.objects.published().for_listing()


class ArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_context_data(self, **kwargs):
        # Listings show articles and their comment counts: cached under those two tokens.
        site, lists = pagecache.generations(self.request, pagecache.GLOBAL, pagecache.LISTS)
        return super().get_context_data(generation={"site": site, "lists": lists}, **kwargs)


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.published()

    def get_object(self, queryset=None):
        slug = self.kwargs["slug"]
        site, discussion = pagecache.generations(
            self.request, pagecache.GLOBAL, pagecache.article_generation(slug)
        )
        self.generation = {"site": site, "discussion": discussion}
        # An article changes only with a new site generation (or discussion: its comment
        # count), so each process reads it once per generation; a missing one stays a 404.
        return cached(
            by_generation("article", slug, site, discussion),
            lambda: DetailView.get_object(self, queryset),
        )

    def get_context_data(self, **kwargs):
        # Tags and sources change only with a new site generation: read them once per process,
        # and only to render the page, not for a view of a page already kept.
        article = self.object
        tags, sources = cached(
            by_generation("article-taxonomy", article.pk, self.generation["site"]),
            lambda: (list(article.tags.all()), list(article.sources.all())),
        )
        article.use_known_tags_and_sources(tags, sources)
        return super().get_context_data(generation=self.generation, **kwargs)

    def get(self, request, *args, **kwargs):
        try:
            return self.render_page()
        except PageOutOfRange as past_the_end:
            return redirect(
                discussion_url(self.object, sort=sort_from(request), page=past_the_end.last)
            )

    def render_page(self, *, form=None) -> HttpResponse:
        """The article and its discussion; `form` is a refused comment, shown with its errors.

        The page is rendered with reader slots, and a page every reader of its kind (signed
        in or not) shares is kept once per generation of the site and the discussion: a
        signed-in reader's view then only fills in their own parts.
        """
        self.object = self.get_object()
        discussion = Discussion(self.request, self.object, self.generation, form=form)
        key = None
        if discussion.shared and not get_messages(self.request):
            key = discussion.key("article-page", self.request.user.is_authenticated)
        html = cached(
            key,
            lambda: render_to_string(
                self.get_template_names(),
                self.get_context_data(object=self.object, **discussion.context()),
                self.request,
            ),
            store="pages",
        )
        return HttpResponse(discussion.fill(html))


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
        return super().get_context_data(preview=True, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
