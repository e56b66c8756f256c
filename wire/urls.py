from django.urls import re_path

from . import views

app_name = "wire"

urlpatterns = [
    # IndexNow keys are 8-128 of a-z, A-Z, 0-9 and "-".
    re_path(r"^(?P<key>[A-Za-z0-9-]{8,128})\.txt$", views.indexnow_key, name="indexnow-key"),
]
