from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("", views.commitment_list, name="list"),
    path("<int:pk>/", views.commitment_detail, name="detail"),
]
