from django.urls import path

from .views import (
    assignment,
    contacts,
    dashboard,
    detail,
    editing,
    extensions,
    listing,
    releases,
    review,
)

app_name = "proposals"

urlpatterns = [
    path("", listing.proposal_list, name="list"),
    path("new/", editing.proposal_create, name="create"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("rows/", editing.form_rows, name="rows"),
    path("split/", editing.split_text, name="split"),
    path("<int:pk>/", detail.proposal_detail, name="detail"),
    path("<int:pk>/edit/", editing.proposal_edit, name="edit"),
    path("<int:pk>/register/", review.proposal_register, name="register"),
    path("<int:pk>/convert/", review.proposal_convert, name="convert"),
    path("<int:pk>/withdraw/", review.proposal_withdraw, name="withdraw"),
    path("<int:pk>/merge/", detail.proposal_merge, name="merge"),
    path("<int:pk>/assign/", assignment.proposal_assign, name="assign"),
    path("<int:pk>/assignments/add/", assignment.assignment_add, name="assignment_add"),
    path("assignments/<int:pk>/due/", assignment.assignment_change_due, name="assignment_due"),
    path("assignments/<int:pk>/remove/", assignment.assignment_remove, name="assignment_remove"),
    path("assignments/<int:pk>/extension/", extensions.extension_request, name="extension_request"),
    path("extensions/", extensions.extension_list, name="extensions"),
    path("extensions/<int:pk>/", extensions.extension_decide, name="extension_decide"),
    path("extensions/<int:pk>/withdraw/", extensions.extension_withdraw, name="extension_withdraw"),
    path("assignments/<int:pk>/release/", releases.release_request, name="release_request"),
    path("releases/", releases.release_list, name="releases"),
    path("releases/<int:pk>/", releases.release_decide, name="release_decide"),
    path("releases/<int:pk>/withdraw/", releases.release_withdraw, name="release_withdraw"),
    path("<int:pk>/contacts/new/", contacts.contact_create, name="contact_create"),
    path("contacts/<int:pk>/delete/", contacts.contact_delete, name="contact_delete"),
    path("contacts/missing/", contacts.contacts_missing, name="contacts_missing"),
    path("<int:pk>/feedback/", review.feedback_record, name="feedback"),
    path("<int:pk>/close/", review.proposal_close, name="close"),
    path("<int:pk>/reopen/", review.proposal_reopen, name="reopen"),
]
