"""统计看板: a session's numbers at a glance, for liaison staff (and superusers).

Anyone not signed in is sent to the login page; everyone else but liaison staff gets
the site's 403 page. The numbers come from :func:`proposals.stats.session_statistics`,
so the page runs the same fixed number of queries whatever the size of the session.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.roles import is_liaison

from .models import Satisfaction, Session
from .stats import SATISFACTION_KEYS, session_statistics, summary_text


def _bars(counts: dict, labels: dict, total: int) -> list[dict]:
    return [
        {"key": key, "label": labels.get(key, key), "count": n,
         "percent": round(100 * n / total, 1) if total else 0}
        for key, n in counts.items()
    ]


@require_GET
@login_required
def dashboard(request):
    if not is_liaison(request.user):
        raise PermissionDenied(_("只有提案委工作人员可以查看统计。"))
    sessions = list(Session.objects.only("code", "name"))
    if not sessions:
        return render(request, "proposals/dashboard.html", {"sessions": [], "session": None})
    code = request.GET.get("session")
    if code:
        session = next((s for s in sessions if s.code == code), None)
        if session is None:
            raise Http404(_("没有这个届次会议。"))
    else:
        session = sessions[0]
    stats = session_statistics(session)
    satisfaction_labels = dict(Satisfaction.choices)
    satisfaction = []
    for field, label in (("handling", _("对办理工作")), ("result", _("对办理结果"))):
        counts = stats["satisfaction"][field]
        satisfaction.append({
            "label": label,
            "rate": stats["satisfaction_rate"][field],
            "bars": _bars({k: counts[k] for k in SATISFACTION_KEYS}, satisfaction_labels, stats["feedback"]),
        })
    context = {
        "sessions": sessions,
        "session": session,
        "stats": stats,
        "today": datetime.date.fromisoformat(stats["today"]),
        "class_bars": _bars(
            stats["classes"], {k: _("%(klass)s类") % {"klass": k} for k in stats["classes"]},
            sum(stats["classes"].values()),
        ),
        "adoption_bars": _bars(
            stats["adoption"], stats["adoption_labels"], sum(stats["adoption"].values())
        ),
        "satisfaction": satisfaction,
        "summary": summary_text(stats),
    }
    return render(request, "proposals/dashboard.html", context)
