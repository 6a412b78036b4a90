"""What the section and letter services share: the proposal must be in handling, the
agency assigned, the rows locked."""

from __future__ import annotations

from django.utils.translation import gettext as _

from agencies.models import Agency
from core.workflow import (
    DomainError,
    IllegalMove,
)
from proposals import answers
from proposals.models import (
    Assignment,
    Proposal,
)

from ..models import AdoptionStatus, ReplyLetter, Section

# ---------------------------------------------------------------- helpers


def require_handling(proposal: Proposal) -> None:
    if not answers.is_awaiting(proposal):
        raise IllegalMove(
            _("提案当前状态为“%(state)s”，只有已交办或重新办理的提案可以办理。")
            % {"state": proposal.get_state_display()}
        )


def assignment_of(proposal: Proposal, agency: Agency) -> Assignment:
    assignment = proposal.assignments.filter(agency=agency).first()
    if assignment is None:
        raise DomainError(
            _("%(agency)s不是第%(number)s号提案的承办单位。")
            % {"agency": agency.name, "number": proposal.number}
        )
    return assignment


def lock_section(section: Section) -> Section:
    return Section.objects.select_for_update(of=("self",)).select_related(
        "recommendation__proposal", "agency", "adoption"
    ).get(pk=section.pk)


def lock_letter(letter: ReplyLetter) -> ReplyLetter:
    return ReplyLetter.objects.select_for_update(of=("self",)).select_related(
        "proposal__session", "agency"
    ).get(pk=letter.pk)


def adoption_of(adoption) -> AdoptionStatus | None:
    if adoption is None or isinstance(adoption, AdoptionStatus):
        return adoption
    found = AdoptionStatus.objects.filter(code=adoption).first()
    if found is None:
        raise DomainError(_("采纳情况“%(code)s”不存在。") % {"code": adoption}, field="adoption")
    return found
