from django.apps import AppConfig


class CaseStudiesConfig(AppConfig):
    name = "case_studies"
