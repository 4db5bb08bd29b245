"""An RSS feed of news releases, served live at /feeds/news.xml and frozen into the archive."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from wagtail.models import Site

from .models import NewsIndexPage, NewsReleasePage


class NewsReleasesFeed(Feed):
    feed_type = Rss201rev2Feed
    description = "News releases, newest first."
    items_per_feed = 50

    def get_object(self, request):
        self.request = request
        return NewsIndexPage.objects.live().public().first()

    def title(self, news_index):
        site = Site.find_for_request(self.request)
        return f"{site.site_name if site else 'News'}: news releases"

    def link(self, news_index):
        return news_index.get_url(self.request) if news_index else "/"

    def items(self, news_index):
        if news_index is None:
            return NewsReleasePage.objects.none()
        return news_index.get_listing_items()[: self.items_per_feed]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        # Release dates have no time; noon in the site's zone keeps the day right in every zone.
        return timezone.make_aware(datetime.datetime.combine(item.release_date, datetime.time(12)))
