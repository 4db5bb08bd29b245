"""Hypothesis profiles for the property tests: "ci" by default, bounded so the whole property suite adds
about three minutes to `make test`; "long" for a deeper run, `pytest --hypothesis-profile=long`.

Each property names its example count in the ci profile with ``examples(ci=n)``; the long profile runs
ten times as many. Database-backed properties set ``deadline=None`` (an export takes seconds) and
build their data inside the test body, in a transaction rolled back after each example.
"""

from hypothesis import HealthCheck, Phase, settings

CI_EXAMPLES = 10  # The ci profile's max_examples; a property's own count scales with it.
LONG_EXAMPLES = 100

settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    deadline=None,
    print_blob=True,  # A failure prints the @reproduce_failure line that replays it.
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    parent=settings.get_profile("ci"),
    max_examples=LONG_EXAMPLES,
)


def load_default_profile():
    """The ci profile, unless `--hypothesis-profile` (read by Hypothesis's pytest plugin) chose another."""
    if settings.get_current_profile_name() == "default":
        settings.load_profile("ci")


def examples(ci):
    """A property's example count: ``ci`` in the ci profile, ten times as many in the long one."""
    return max(1, ci * settings.default.max_examples // CI_EXAMPLES)


# Finding bugs quickly while working on a property: no shrinking, fail at the first failing example.
settings.register_profile(
    "explore",
    parent=settings.get_profile("long"),
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
)
