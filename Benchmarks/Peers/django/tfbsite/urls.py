from django.urls import path

from benchsite.urls import urlpatterns as bench_urlpatterns
from tfb import views

urlpatterns = bench_urlpatterns + [
    path("queries", views.queries),
    path("fortunes", views.fortunes),
    path("updates", views.updates),
]
