from django.urls import path

from . import views, views_dashboard, views_extensions

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_create, name="create"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("rows/", views.form_rows, name="rows"),
    path("split/", views.split_text, name="split"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/register/", views.proposal_register, name="register"),
    path("<int:pk>/convert/", views.proposal_convert, name="convert"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("<int:pk>/merge/", views.proposal_merge, name="merge"),
    path("<int:pk>/assign/", views.proposal_assign, name="assign"),
    path("<int:pk>/assignments/add/", views.assignment_add, name="assignment_add"),
    path("assignments/<int:pk>/due/", views.assignment_change_due, name="assignment_due"),
    path("assignments/<int:pk>/remove/", views.assignment_remove, name="assignment_remove"),
    path("assignments/<int:pk>/extension/", views_extensions.extension_request,
         name="extension_request"),
    path("extensions/", views_extensions.extension_list, name="extensions"),
    path("extensions/<int:pk>/", views_extensions.extension_decide, name="extension_decide"),
    path("extensions/<int:pk>/withdraw/", views_extensions.extension_withdraw,
         name="extension_withdraw"),
    path("<int:pk>/feedback/", views.feedback_record, name="feedback"),
    path("<int:pk>/close/", views.proposal_close, name="close"),
    path("<int:pk>/reopen/", views.proposal_reopen, name="reopen"),
]
