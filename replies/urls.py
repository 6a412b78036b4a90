from django.urls import path

from . import views

app_name = "replies"

urlpatterns = [
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/draft/", views.letter_draft_pdf, name="letter_draft_pdf"),
    path("print/", views.printable_letters, name="printable_letters"),
    path("print/jobs/", views.print_job_create, name="print_job_create"),
    path("print/jobs/<int:pk>/", views.print_job_detail, name="print_job"),
    path("print/jobs/<int:pk>/progress/", views.print_job_progress, name="print_job_progress"),
    path("print/jobs/<int:pk>/download/", views.print_job_download, name="print_job_download"),
]
