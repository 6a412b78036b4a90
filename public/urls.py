from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.letter_list, name="list"),
    path("letters/<int:pk>/", views.letter_page, name="letter"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
]
