from django.urls import path

from .views import attachments, batches, documents, inbox, letters, sections, wording

app_name = "replies"

urlpatterns = [
    path("letters/<int:pk>/pdf/", documents.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/draft/", documents.letter_draft_pdf, name="letter_draft_pdf"),
    path("letters/<int:pk>/issue/", documents.letter_issue, name="letter_issue"),
    path("print/", documents.printable_letters, name="printable_letters"),
    path("print/jobs/", documents.print_job_create, name="print_job_create"),
    path("print/jobs/<int:pk>/", documents.print_job_detail, name="print_job"),
    path("print/jobs/<int:pk>/progress/", documents.print_job_progress, name="print_job_progress"),
    path("print/jobs/<int:pk>/download/", documents.print_job_download, name="print_job_download"),
    path("print/jobs/<int:pk>/retry/", documents.print_job_retry, name="print_job_retry"),
    # Agency officers and approvers: the inbox, sections and letters.
    path("inbox/", inbox.inbox, name="inbox"),
    path("sections/approve/", batches.sections_approve, name="sections_approve_batch"),
    path("letters/sign/", batches.letters_sign, name="letters_sign_batch"),
    path("print/issue/", batches.letters_issue, name="letters_issue_batch"),
    path("print/jobs/<int:pk>/issue/", batches.print_job_issue, name="print_job_issue"),
    path("handling/<int:pk>/", inbox.handling, name="handling"),
    path("handling/<int:pk>/letters/new/", letters.letter_create, name="letter_create"),
    path("recommendations/<int:pk>/sections/new/", sections.section_create,
         name="section_create"),
    path("sections/<int:pk>/edit/", sections.section_edit, name="section_edit"),
    path("sections/<int:pk>/submit/", sections.section_submit, name="section_submit"),
    path("sections/<int:pk>/approve/", sections.section_approve, name="section_approve"),
    path("sections/<int:pk>/return/", sections.section_return, name="section_return"),
    path("sections/<int:pk>/revise/", sections.section_revise, name="section_revise"),
    path("letters/<int:pk>/", letters.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/edit/", letters.letter_update, name="letter_update"),
    path("letters/<int:pk>/class/", letters.letter_set_class, name="letter_set_class"),
    path("letters/<int:pk>/order/", letters.letter_move, name="letter_move"),
    path("letters/<int:pk>/parts/<int:ordinal>/", wording.letter_part, name="letter_part"),
    path("letters/<int:pk>/attachments/", attachments.letter_attachment_add, name="letter_attachment_add"),
    path("letters/attachments/<int:pk>/", attachments.letter_attachment_download, name="letter_attachment"),
    path("letters/attachments/<int:pk>/delete/", attachments.letter_attachment_delete,
         name="letter_attachment_delete"),
    path("letters/<int:pk>/parts/<int:ordinal>/reset/", wording.letter_part_reset, name="letter_part_reset"),
    path("letters/<int:pk>/submit/", letters.letter_submit, name="letter_submit"),
    path("letters/<int:pk>/sign/", letters.letter_sign, name="letter_sign"),
    path("letters/<int:pk>/return/", letters.letter_return, name="letter_return"),
    path("letters/<int:pk>/void/", letters.letter_void, name="letter_void"),
    path("letters/<int:pk>/publication/", letters.letter_publication, name="letter_publication"),
]
