app_name = "paywall"
urlpatterns: list = []
