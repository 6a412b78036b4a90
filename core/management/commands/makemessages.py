"""``makemessages`` that also finds the project's own translation helpers.

``proposals.stats._counted(singular, plural, count, ...)`` wraps ngettext to fill in the
count; xgettext is told to read its first two arguments as a plural message.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_counted:1,2"]
