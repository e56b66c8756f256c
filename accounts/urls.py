from django.contrib import admin
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", admin.site.admin_view(views.two_factor), name="two_factor"),
]
