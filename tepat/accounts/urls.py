from django.urls import path, re_path

from tepat.accounts import views, views_users

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("keluar/", views.logout_view, name="logout"),
    path("pengguna/", views_users.user_list, name="user_list"),
    path("pengguna/baru/", views_users.user_create_view, name="user_create"),
    path("pengguna/unggah/", views_users.user_bulk_view, name="user_bulk"),
    re_path(r"^pengguna/unggah/templat\.(?P<fmt>csv|xlsx)$", views_users.user_bulk_template,
            name="user_bulk_template"),
    path("pengguna/<int:pk>/", views_users.user_detail, name="user_detail"),
    path("pengguna/<int:pk>/ubah/", views_users.user_edit, name="user_edit"),
    path("pengguna/<int:pk>/sandi/", views_users.user_password_view, name="user_password"),
    path("pengguna/<int:pk>/nonaktifkan/", views_users.user_deactivate_view, name="user_deactivate"),
    path("pengguna/<int:pk>/aktifkan/", views_users.user_reactivate_view, name="user_reactivate"),
    path("pengguna/<int:pk>/buka-kunci/", views_users.user_unlock_view, name="user_unlock"),
]
