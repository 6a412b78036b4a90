"""An id out of the database's range matches nothing — through a foreign key and in a list
of ids too, as Django's own lookups on an integer column already do — instead of failing
in the database (core.lookups)."""

from __future__ import annotations

import pytest

from agencies.models import Agency, Membership
from proposals.models import Assignment

pytestmark = pytest.mark.django_db

HUGE = 10**30


def test_ids_out_of_range_match_nothing(world):
    assert not Membership.objects.filter(agency=HUGE).exists()
    assert not Membership.objects.filter(agency__in=[HUGE, -HUGE]).exists()
    assert not Agency.objects.filter(pk__in=[HUGE]).exists()
    assert Membership.objects.filter(agency__in=[world.lead.pk, HUGE]).count() == \
        Membership.objects.filter(agency=world.lead).count() > 0
    assert Membership.objects.filter(agency__lt=HUGE).count() == Membership.objects.count()
    assert not Membership.objects.filter(agency__gt=HUGE).exists()
    assert Membership.objects.filter(agency__gte=-HUGE).count() == Membership.objects.count()
    assert not Assignment.objects.filter(proposal__session__in=[HUGE]).exists()
