"""Where programmes and their sessions may be created."""

from wagtail.test.utils import WagtailPageTestCase

from case_studies.models import CaseStudyIndexPage
from resources.models import LearningProgrammePage, ProgrammeIndexPage, SessionPage
from site_pages.models import HomePage, NewsIndexPage, StandardPage
from tests.factories import HomePageFactory, LearningProgrammePageFactory, ProgrammeIndexPageFactory


class ProgrammeTreeTests(WagtailPageTestCase):
    def test_programme_index_goes_only_under_home(self):
        self.assertAllowedParentPageTypes(ProgrammeIndexPage, {HomePage})

    def test_programme_index_holds_only_learning_programmes(self):
        self.assertAllowedSubpageTypes(ProgrammeIndexPage, {LearningProgrammePage})

    def test_there_is_only_one_programme_index(self):
        home = HomePageFactory(slug="home-page")
        self.assertTrue(ProgrammeIndexPage.can_create_at(home))

        ProgrammeIndexPageFactory(parent=home)

        self.assertFalse(ProgrammeIndexPage.can_create_at(home))

    def test_learning_programme_goes_only_under_the_programme_index(self):
        self.assertAllowedParentPageTypes(LearningProgrammePage, {ProgrammeIndexPage})
        for parent in (HomePage, StandardPage, NewsIndexPage, CaseStudyIndexPage):
            self.assertCanNotCreateAt(parent, LearningProgrammePage)

    def test_learning_programme_holds_only_sessions(self):
        self.assertAllowedSubpageTypes(LearningProgrammePage, {SessionPage})


class SessionTreeTests(WagtailPageTestCase):
    def test_session_goes_only_under_a_programme(self):
        self.assertCanCreateAt(LearningProgrammePage, SessionPage)
        self.assertAllowedParentPageTypes(SessionPage, {LearningProgrammePage})
        for parent in (HomePage, StandardPage, ProgrammeIndexPage, SessionPage):
            self.assertCanNotCreateAt(parent, SessionPage)

    def test_session_has_no_child_pages(self):
        self.assertAllowedSubpageTypes(SessionPage, set())

    def test_a_programme_can_have_many_sessions(self):
        programme = LearningProgrammePageFactory(
            parent=ProgrammeIndexPageFactory(parent=HomePageFactory(slug="home-page"))
        )

        self.assertTrue(SessionPage.can_create_at(programme))
