"""Pages of agency officers (经办人) and approvers (签发人), the office's printing and
the home page (我的待办).

The inbox of assigned recommendations; drafting, submitting, approving and returning
sections; assembling the reply letter, sending it for signing, signing, returning and
voiding it.

Reads come from scoped querysets, so an object the user may not see is a 404. Every
change goes through a service: a refusal is shown in Chinese beside what the user
typed, and a permission refusal (``PermissionDenied``) is the site's 403 page.
"""
