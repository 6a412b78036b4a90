"""Admin for sessions, proposals and everything logged with them.

The admin never moves a proposal by saving it: ``state``, ``round`` and the history
are read-only, and the moves (立案, 转为意见建议, 撤案, 办结, 重新办理) are admin
actions that call :mod:`proposals.services` with the signed-in user as actor.
Assigning (交办) a registered proposal, adding an agency, changing a due date and
recording feedback also go through the services. The helpers at the top are shared
with the other apps' admins.
"""

from . import handling, proposal, vocabularies  # noqa: F401  (registers the admins)
