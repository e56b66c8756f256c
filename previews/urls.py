from django.urls import path

from . import views

app_name = "previews"

urlpatterns = [
    path("preview/<str:token>/", views.preview, name="preview"),
]
