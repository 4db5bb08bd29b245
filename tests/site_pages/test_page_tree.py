"""Where home, standard and news pages may be created, and how many of each."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from case_studies.models import CaseStudyIndexPage, CaseStudyPage
from resources.models import LearningProgrammePage, ProgrammeIndexPage, SessionPage
from site_pages.models import HomePage, NewsIndexPage, NewsReleasePage, StandardPage
from tests.factories import (
    HomePageFactory,
    NewsIndexPageFactory,
    NewsReleasePageFactory,
    StandardPageFactory,
)


class HomePageTreeTests(WagtailPageTestCase):
    def test_home_page_is_created_at_the_root_of_the_tree(self):
        self.assertCanCreateAt(Page, HomePage)

    def test_home_page_holds_the_section_pages(self):
        for section in (StandardPage, NewsIndexPage, ProgrammeIndexPage, CaseStudyIndexPage):
            self.assertCanCreateAt(HomePage, section)

    def test_content_pages_belong_in_their_sections_not_under_home(self):
        for page_type in (NewsReleasePage, LearningProgrammePage, SessionPage, CaseStudyPage, HomePage):
            self.assertCanNotCreateAt(HomePage, page_type)

    def test_there_is_only_one_home_page(self):
        root = Page.get_first_root_node()
        self.assertTrue(HomePage.can_create_at(root))

        HomePageFactory(parent=root, slug="home-page")

        self.assertFalse(HomePage.can_create_at(root))


class StandardPageTreeTests(WagtailPageTestCase):
    def test_standard_page_goes_under_home_or_another_standard_page(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})

    def test_standard_page_holds_only_standard_pages(self):
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})

    def test_any_number_of_standard_pages_can_be_created(self):
        home = HomePageFactory(slug="home-page")
        StandardPageFactory(parent=home)

        self.assertTrue(StandardPage.can_create_at(home))


class NewsTreeTests(WagtailPageTestCase):
    def test_news_index_goes_only_under_home(self):
        self.assertAllowedParentPageTypes(NewsIndexPage, {HomePage})

    def test_news_index_holds_only_news_releases(self):
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsReleasePage})

    def test_news_release_goes_only_under_the_news_index(self):
        self.assertAllowedParentPageTypes(NewsReleasePage, {NewsIndexPage})
        for parent in (HomePage, StandardPage, ProgrammeIndexPage, CaseStudyIndexPage, NewsReleasePage):
            self.assertCanNotCreateAt(parent, NewsReleasePage)

    def test_news_release_has_no_child_pages(self):
        self.assertAllowedSubpageTypes(NewsReleasePage, set())

    def test_there_is_only_one_news_index(self):
        home = HomePageFactory(slug="home-page")
        self.assertTrue(NewsIndexPage.can_create_at(home))

        NewsIndexPageFactory(parent=home)

        self.assertFalse(NewsIndexPage.can_create_at(home))

    def test_many_news_releases_can_be_created_in_the_index(self):
        news = NewsIndexPageFactory(parent=HomePageFactory(slug="home-page"))
        NewsReleasePageFactory(parent=news)

        self.assertTrue(NewsReleasePage.can_create_at(news))
