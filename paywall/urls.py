from django.urls import path

from . import devmail, views

app_name = "paywall"
urlpatterns = [
    path("tai-khoan/dang-ky/", views.signup, name="signup"),
    path("tai-khoan/dang-nhap/", views.ReaderLoginView.as_view(), name="login"),
    path("tai-khoan/dang-xuat/", views.ReaderLogoutView.as_view(), name="logout"),
    path(
        "tai-khoan/xac-nhan-email/<str:uidb64>/<str:token>/",
        views.verify_email,
        name="verify_email",
    ),
    path(
        "tai-khoan/quen-mat-khau/", views.ReaderPasswordResetView.as_view(), name="password_reset"
    ),
    path(
        "tai-khoan/quen-mat-khau/da-gui/",
        views.ReaderPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "tai-khoan/dat-lai-mat-khau/<uidb64>/<token>/",
        views.ReaderPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "tai-khoan/dat-lai-mat-khau/xong/",
        views.ReaderPasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("tai-khoan/", views.account, name="account"),
    path("tai-khoan/du-lieu-cua-toi/", views.account_data, name="account_data"),
    path("tai-khoan/xoa-tai-khoan/", views.account_delete, name="account_delete"),
    path("tai-khoan/thue-bao/<int:pk>/huy/", views.subscription_cancel, name="subscription_cancel"),
    path("tai-khoan/tang-bai/<int:story_id>/", views.gift_create, name="gift_create"),
    path("in/<int:story_id>/", views.print_story, name="print_story"),
    path("goi-cuoc/", views.plans, name="plans"),
    path("goi-cuoc/<slug:slug>/mua/", views.checkout, name="checkout"),
    path("thanh-toan/vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
    path("thanh-toan/momo/ipn/", views.momo_ipn, name="momo_ipn"),
    path("thanh-toan/zalopay/callback/", views.zalopay_callback, name="zalopay_callback"),
    path(
        "thanh-toan/vnpay/ket-qua/", views.gateway_return, {"gateway": "vnpay"}, name="vnpay_return"
    ),
    path("thanh-toan/momo/ket-qua/", views.gateway_return, {"gateway": "momo"}, name="momo_return"),
    path(
        "thanh-toan/zalopay/ket-qua/",
        views.gateway_return,
        {"gateway": "zalopay"},
        name="zalopay_return",
    ),
    path("thanh-toan/gia-lap/<str:gateway>/", views.imitation, name="imitation"),
    # DEBUG only (make run): the e-mail sent, readable in the browser; 404 otherwise.
    path("dev/hop-thu/", devmail.outbox, name="dev_outbox"),
]
