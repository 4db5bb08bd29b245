"""An RSS feed of news releases, served live at /feeds/news.xml and frozen into the archive."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from wagtail.models import Site

from cms.core.text import without_forbidden_characters

from .models import NewsIndexPage, NewsReleasePage


class ReproducibleRssFeed(Rss201rev2Feed):
    """RSS whose lastBuildDate is its newest item's date, as Django's is, but with no items a fixed
    date rather than the time it was written: an export of the same content gives the same feed."""

    NO_ITEMS_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)

    def latest_post_date(self):
        return super().latest_post_date() if self.items else self.NO_ITEMS_DATE


class NewsReleasesFeed(Feed):
    feed_type = ReproducibleRssFeed
    description = "News releases, newest first."
    items_per_feed = 50

    def get_object(self, request):
        self.request = request
        return NewsIndexPage.objects.live().public().first()

    def title(self, news_index):
        site = Site.find_for_request(self.request)
        return without_forbidden_characters(f"{site.site_name if site else 'News'}: news releases")

    def link(self, news_index):
        return news_index.get_url(self.request) if news_index else "/"

    def items(self, news_index):
        if news_index is None:
            return NewsReleasePage.objects.none()
        return news_index.get_listing_items()[: self.items_per_feed]

    # XML 1.0 forbids control characters: a pasted one would otherwise make the whole feed fail.
    def item_title(self, item):
        return without_forbidden_characters(item.title)

    def item_description(self, item):
        return without_forbidden_characters(item.summary)

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        # Release dates have no time; noon in the site's zone keeps the day right in every zone.
        return timezone.make_aware(datetime.datetime.combine(item.release_date, datetime.time(12)))
