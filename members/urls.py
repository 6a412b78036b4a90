from django.urls import path

from . import account_views, views

app_name = "members"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.online_create, name="online_create"),
    path("online/<int:pk>/", views.online_detail, name="online"),
    path("online/<int:pk>/invite/", views.invite, name="invite"),
    path("online/<int:pk>/attach/", views.attachment_add, name="attachment_add"),
    path("online/<int:pk>/submit/", views.online_submit, name="submit"),
    path("online/<int:pk>/delete/", views.online_delete, name="online_delete"),
    path("invitations/<int:pk>/answer/", views.invitation_answer, name="invitation_answer"),
    path("invitations/<int:pk>/remove/", views.invitation_remove, name="invitation_remove"),
    path("online-attachments/<int:pk>/", views.attachment, name="attachment"),
    path("online-attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    # the liaison staff's pages for proposer accounts
    path("accounts/", account_views.accounts, name="accounts"),
    path("accounts/import/", account_views.accounts_import, name="accounts_import"),
    path("accounts/<int:pk>/active/", account_views.account_active, name="account_active"),
]
