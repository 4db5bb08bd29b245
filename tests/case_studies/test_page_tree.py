"""Where case studies may be created."""

from wagtail.test.utils import WagtailPageTestCase

from case_studies.models import CaseStudyIndexPage, CaseStudyPage
from resources.models import LearningProgrammePage, ProgrammeIndexPage
from site_pages.models import HomePage, NewsIndexPage, StandardPage
from tests.factories import CaseStudyIndexPageFactory, HomePageFactory


class CaseStudyTreeTests(WagtailPageTestCase):
    def test_case_study_index_goes_only_under_home(self):
        self.assertAllowedParentPageTypes(CaseStudyIndexPage, {HomePage})

    def test_case_study_index_holds_only_case_studies(self):
        self.assertAllowedSubpageTypes(CaseStudyIndexPage, {CaseStudyPage})

    def test_there_is_only_one_case_study_index(self):
        home = HomePageFactory(slug="home-page")
        self.assertTrue(CaseStudyIndexPage.can_create_at(home))

        CaseStudyIndexPageFactory(parent=home)

        self.assertFalse(CaseStudyIndexPage.can_create_at(home))

    def test_case_study_goes_only_under_the_case_study_index(self):
        self.assertCanCreateAt(CaseStudyIndexPage, CaseStudyPage)
        for parent in (HomePage, StandardPage, NewsIndexPage, ProgrammeIndexPage, LearningProgrammePage):
            self.assertCanNotCreateAt(parent, CaseStudyPage)

    def test_case_study_has_no_child_pages(self):
        self.assertAllowedSubpageTypes(CaseStudyPage, set())
