from django.urls import path

from . import views, views_agency

app_name = "replies"

urlpatterns = [
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/draft/", views.letter_draft_pdf, name="letter_draft_pdf"),
    path("letters/<int:pk>/issue/", views.letter_issue, name="letter_issue"),
    path("print/", views.printable_letters, name="printable_letters"),
    path("print/jobs/", views.print_job_create, name="print_job_create"),
    path("print/jobs/<int:pk>/", views.print_job_detail, name="print_job"),
    path("print/jobs/<int:pk>/progress/", views.print_job_progress, name="print_job_progress"),
    path("print/jobs/<int:pk>/download/", views.print_job_download, name="print_job_download"),
    path("print/jobs/<int:pk>/retry/", views.print_job_retry, name="print_job_retry"),
    # Agency officers and approvers: the inbox, sections and letters.
    path("inbox/", views_agency.inbox, name="inbox"),
    path("handling/<int:pk>/", views_agency.handling, name="handling"),
    path("handling/<int:pk>/letters/new/", views_agency.letter_create, name="letter_create"),
    path("recommendations/<int:pk>/sections/new/", views_agency.section_create,
         name="section_create"),
    path("sections/<int:pk>/edit/", views_agency.section_edit, name="section_edit"),
    path("sections/<int:pk>/submit/", views_agency.section_submit, name="section_submit"),
    path("sections/<int:pk>/approve/", views_agency.section_approve, name="section_approve"),
    path("sections/<int:pk>/return/", views_agency.section_return, name="section_return"),
    path("sections/<int:pk>/revise/", views_agency.section_revise, name="section_revise"),
    path("letters/<int:pk>/", views_agency.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/edit/", views_agency.letter_update, name="letter_update"),
    path("letters/<int:pk>/class/", views_agency.letter_set_class, name="letter_set_class"),
    path("letters/<int:pk>/order/", views_agency.letter_move, name="letter_move"),
    path("letters/<int:pk>/submit/", views_agency.letter_submit, name="letter_submit"),
    path("letters/<int:pk>/sign/", views_agency.letter_sign, name="letter_sign"),
    path("letters/<int:pk>/return/", views_agency.letter_return, name="letter_return"),
    path("letters/<int:pk>/void/", views_agency.letter_void, name="letter_void"),
]
